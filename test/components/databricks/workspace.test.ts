import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { Workspace, WorkspaceArgs } from "../../../components/databricks/workspace";
import { ProgramError } from "../../../tools/engine/evaluate";
import { isSecretMarker, stackType } from "../../../tools/model/graph";
import { mockWorkspaceId } from "../../../tools/engine/mockAnswers";
import { byType, runProgram } from "../../harness";

const accountId = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
const metastoreId = "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d";

function program(overrides: Partial<WorkspaceArgs> = {}) {
    return () => {
        const gcpProvider = new gcp.Provider("gcp", { project: "acme-ml" });
        const account = new databricks.Provider("account", { host: "https://accounts.gcp.databricks.com", accountId });
        const nat = new gcp.compute.RouterNat(
            "nat",
            { router: "ml-router", region: "us-central1", natIpAllocateOption: "AUTO_ONLY", sourceSubnetworkIpRangesToNat: "ALL_SUBNETWORKS_ALL_IP_RANGES" },
            { provider: gcpProvider },
        );
        new Workspace(
            "ws",
            {
                accountId,
                workspaceName: "ml-dev",
                project: "acme-ml",
                region: "us-central1",
                networkId: "projects/acme-ml/global/networks/ml-vpc",
                networkName: "ml-vpc",
                subnetCidr: "10.28.0.0/22",
                metastoreId,
                egress: nat,
                ...overrides,
            },
            { providers: [gcpProvider, account] },
        );
    };
}

describe("Workspace", () => {
    it("puts the workspace on a new subnet of the existing VPC, by name, without GKE ranges", async () => {
        const graph = await runProgram(program());
        const [subnet] = byType(graph, "gcp:compute/subnetwork:Subnetwork");
        expect(subnet.inputs).toMatchObject({
            network: "projects/acme-ml/global/networks/ml-vpc",
            ipCidrRange: "10.28.0.0/22",
            region: "us-central1",
            privateIpGoogleAccess: true,
        });
        expect(subnet.inputs.secondaryIpRanges ?? []).toEqual([]);
        const [network] = byType(graph, "databricks:index/mwsNetworks:MwsNetworks");
        expect(network.inputs.gcpNetworkInfo).toEqual({
            networkProjectId: "acme-ml",
            vpcId: "ml-vpc",
            subnetId: "ws-subnet",
            subnetRegion: "us-central1",
        });
        const [firewall] = byType(graph, "gcp:compute/firewall:Firewall");
        expect(firewall.inputs).toMatchObject({ direction: "INGRESS", sourceRanges: ["10.28.0.0/22"], destinationRanges: ["10.28.0.0/22"] });
    });

    it("creates the workspace in the region and project, in that network, after the NAT, then assigns the metastore", async () => {
        const graph = await runProgram(program());
        const [workspace] = byType(graph, "databricks:index/mwsWorkspaces:MwsWorkspaces");
        const [network] = byType(graph, "databricks:index/mwsNetworks:MwsNetworks");
        const [nat] = byType(graph, "gcp:compute/routerNat:RouterNat");
        // The provider's schema marks the account ID secret: the graph keeps a marker, not the ID.
        expect(isSecretMarker(workspace.inputs.accountId)).toBe(true);
        expect(workspace.inputs).toMatchObject({
            workspaceName: "ml-dev",
            location: "us-central1",
            cloudResourceContainer: { gcp: { projectId: "acme-ml" } },
            networkId: "ws-network-network-id",
        });
        expect(workspace.inputs.gkeConfig).toBeUndefined();
        // customTags is AWS-only: on GCP the labels go on each cluster.
        expect(workspace.inputs.customTags).toBeUndefined();
        expect(workspace.dependencies).toEqual(expect.arrayContaining([network.urn, nat.urn]));
        const [assignment] = byType(graph, "databricks:index/metastoreAssignment:MetastoreAssignment");
        expect(assignment.inputs).toEqual({ metastoreId, workspaceId: mockWorkspaceId });
        expect(assignment.dependencies).toContain(workspace.urn);
    });

    it("uses the account-level provider it is given for every Databricks child", async () => {
        const graph = await runProgram(program());
        const [account] = byType(graph, "pulumi:providers:databricks");
        const [gcpProvider] = byType(graph, "pulumi:providers:gcp");
        for (const r of graph.resources.filter((r) => r.type.startsWith("databricks:"))) {
            expect(r.provider, r.urn).toBe(`${account.urn}::${account.id}`);
        }
        for (const r of graph.resources.filter((r) => r.type.startsWith("gcp:") && r.parent?.includes("Workspace"))) {
            expect(r.provider, r.urn).toBe(`${gcpProvider.urn}::${gcpProvider.id}`);
        }
    });

    it.each([
        ["10.28.0.0/30", "expected a block from /9 to /29"],
        ["10.0.0.0/8", "expected a block from /9 to /29"],
        ["10.28.1.0/22", "expected the first address of its block"],
        ["10.28.0/22", "expected an IPv4 CIDR block"],
    ])("refuses subnet %s before registering anything", async (subnetCidr, accepted) => {
        const error = await runProgram(program({ subnetCidr })).catch((e) => e);
        expect(error).toBeInstanceOf(ProgramError);
        expect(error.message).toContain(`Workspace ws: subnetCidr "${subnetCidr}": ${accepted}`);
        expect((error as ProgramError).registered.filter((r) => r.type.startsWith("migration:") || r.type.startsWith("databricks:"))).toEqual([]);
        expect((error as ProgramError).registered.map((r) => r.type)).toContain(stackType);
    });

    it("names every bad argument at once", async () => {
        const error = await runProgram(program({ accountId: "acct", metastoreId: "ms", workspaceName: "ML_Dev" })).catch((e) => e);
        expect(error.message).toContain('accountId "acct": expected a UUID');
        expect(error.message).toContain('metastoreId "ms": expected a UUID');
        expect(error.message).toContain('workspaceName "ML_Dev"');
    });
});
