import * as databricks from "@pulumi/databricks";
import { describe, expect, it } from "vitest";
import { accessControls, accessRules, permissionLevels, principal, WorkspaceRoles, workspacePrincipals, workspaceRoleProblems } from "../../../domain/databricks/access";
import { WorkspaceAccess } from "../../../components/databricks/workspaceAccess";
import { byType, runProgram } from "../../harness";

const sp = "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
const roles: WorkspaceRoles = { clusterUser: "ml-engineer@example.com", jobsRunAs: sp, operators: ["ml-platform"], viewers: ["ml-research"] };

describe("workspace access rules", () => {
    it("names a principal as Databricks ACLs do: a user by e-mail, a service principal by application ID, a group by name", () => {
        expect(principal("ml-engineer@example.com")).toEqual({ kind: "user", name: "ml-engineer@example.com" });
        expect(principal(sp)).toEqual({ kind: "servicePrincipal", name: sp });
        expect(principal("ml-platform")).toEqual({ kind: "group", name: "ml-platform" });
    });

    it("gives each role its level on each object", () => {
        expect(accessControls("warehouse", roles)).toEqual([
            { userName: "ml-engineer@example.com", permissionLevel: "CAN_USE" },
            { servicePrincipalName: sp, permissionLevel: "CAN_USE" },
            { groupName: "ml-platform", permissionLevel: "CAN_MANAGE" },
            { groupName: "ml-research", permissionLevel: "CAN_USE" },
        ]);
        expect(accessControls("a100Policy", roles)).toEqual([
            { userName: "ml-engineer@example.com", permissionLevel: "CAN_USE" },
            { groupName: "ml-platform", permissionLevel: "CAN_USE" },
        ]);
    });

    it("names a principal with two roles once, at the higher level", () => {
        // prod: the training service principal is both the cluster user and the run-as identity.
        const shared: WorkspaceRoles = { clusterUser: sp, jobsRunAs: sp, operators: [], viewers: [] };
        expect(accessControls("warehouse", shared)).toEqual([{ servicePrincipalName: sp, permissionLevel: "CAN_USE" }]);
        expect(accessControls("a100Cluster", shared)).toEqual([{ servicePrincipalName: sp, permissionLevel: "CAN_RESTART" }]);
        expect(workspacePrincipals(shared)).toEqual([{ kind: "servicePrincipal", name: sp }]);
        const both: WorkspaceRoles = { ...roles, operators: ["ml-research"], viewers: ["ml-research"] };
        expect(accessControls("job", both)).toContainEqual({ groupName: "ml-research", permissionLevel: "CAN_MANAGE" });
    });

    it("uses only levels Databricks has for each object kind", () => {
        for (const rule of Object.values(accessRules)) {
            for (const level of Object.values(rule.levels)) expect(permissionLevels[rule.kind] as readonly string[]).toContain(level);
        }
    });

    it("refuses a run-as identity that is not a service principal, and a person in a group role", () => {
        expect(workspaceRoleProblems(roles)).toEqual([]);
        expect(workspaceRoleProblems({ ...roles, jobsRunAs: "deployer@example.com", viewers: ["someone@example.com"] })).toEqual([
            `jobsRunAs "deployer@example.com": expected a service principal's application ID (a UUID)`,
            `viewers "someone@example.com": expected an account group's name`,
        ]);
    });
});

describe("WorkspaceAccess", () => {
    it("assigns every principal the roles name to the workspace once, as a user, by name", async () => {
        const graph = await runProgram(() => {
            const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
            new WorkspaceAccess("access", { roles: { ...roles, viewers: ["ml-research", "ml-platform-readers"] } }, { providers: [workspace] });
        });
        const assignments = byType(graph, "databricks:index/permissionAssignment:PermissionAssignment");
        expect(assignments.map((a) => a.inputs)).toEqual([
            { userName: "ml-engineer@example.com", permissions: ["USER"] },
            { servicePrincipalName: sp, permissions: ["USER"] },
            { groupName: "ml-platform", permissions: ["USER"] },
            { groupName: "ml-research", permissions: ["USER"] },
            { groupName: "ml-platform-readers", permissions: ["USER"] },
        ]);
        expect(new Set(assignments.map((a) => a.name)).size).toBe(assignments.length);
    });

    it("refuses roles that cannot be assigned, before registering anything", async () => {
        await expect(runProgram(() => new WorkspaceAccess("access", { roles: { ...roles, jobsRunAs: "ml-platform" } }))).rejects.toThrow(
            /WorkspaceAccess access: jobsRunAs "ml-platform": expected a service principal's application ID/,
        );
    });
});
