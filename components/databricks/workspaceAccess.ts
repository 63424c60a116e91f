import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { Principal, WorkspaceRoles, workspacePrincipals, workspaceRoleProblems } from "../../domain/databricks/access";
import { MigrationComponent } from "../stateful";

export interface WorkspaceAccessArgs {
    roles: WorkspaceRoles;
}

/**
 * Assigns every principal the stack config names (the A100 cluster's user, the jobs' run-as
 * service principal, the operator and viewer groups) to the workspace as a user. An account
 * principal that is not assigned cannot log in, own a run, be a cluster's single user or be a
 * job's run-as identity, so the permissions and jobs that name one wait for these.
 *
 * `databricks.PermissionAssignment` takes the principal by user name, application ID or group
 * name (no account-level ID lookup), through the workspace-level provider passed in the
 * options, whose identity is a workspace admin (it created the workspace). Kept with the data
 * layer: people keep their way into a kept workspace, and its MLflow runs, after a rollback.
 */
export class WorkspaceAccess extends MigrationComponent {
    readonly roles: WorkspaceRoles;
    readonly assignments: databricks.PermissionAssignment[];

    constructor(name: string, args: WorkspaceAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        const problems = workspaceRoleProblems(args.roles);
        if (problems.length > 0) throw new Error(`WorkspaceAccess ${name}: ${problems.join("; ")}`);
        super("migration:databricks:WorkspaceAccess", name, {}, opts);
        this.roles = args.roles;
        this.assignments = workspacePrincipals(args.roles).map(
            (p) => new databricks.PermissionAssignment(`${name}-${resourceSuffix(p)}`, { ...assignee(p), permissions: ["USER"] }, { parent: this }),
        );
        this.registerOutputs({ principals: workspacePrincipals(args.roles).map((p) => p.name) });
    }
}

function assignee(p: Principal): { userName: string } | { servicePrincipalName: string } | { groupName: string } {
    if (p.kind === "user") return { userName: p.name };
    if (p.kind === "servicePrincipal") return { servicePrincipalName: p.name };
    return { groupName: p.name };
}

/** A logical-name part for a principal: stable, and unique among principals of one stack. */
function resourceSuffix(p: Principal): string {
    return `${p.kind === "servicePrincipal" ? "sp" : p.kind}-${p.name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}
