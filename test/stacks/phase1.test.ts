import { defaultGpuMlRuntime } from "../../domain/databricks/nodeTypes";
import { beforeAll, describe, expect, it } from "vitest";
import { labelProperty, requiredLabelKeys } from "../../domain/labels";
import { a100ClusterWorkers, costRules, successGates } from "../../domain/targets";
import { accountsHost } from "../../stacks/phases/databricksProviders";
import { libraryModules } from "../../stacks/phases/library";
import { countByType, isProviderType, programResources, ResourceGraph } from "../../tools/model/graph";
import { mockWorkspaceUrl } from "../../tools/engine/mockAnswers";
import { byName, byType, runStack } from "../harness";
import { expectApisAwaited } from "./googleApis";
import { accountTypes, databricksResources, job, JobCluster, phaseOverride, providerRef, statefulTypes } from "./databricksGraph";

describe.each(["dev", "prod"])("phase 1 of %s", (stack) => {
    let graph: ResourceGraph;
    beforeAll(async () => {
        graph = await runStack(stack, phaseOverride(1));
    });

    it("keeps every resource of phase 1 waiting for the Google APIs its type needs", () => {
        expectApisAwaited(graph);
    });

    it("adds the Databricks setup to the GCP baseline", () => {
        const counts = countByType(programResources(graph));
        expect(counts).toMatchObject({
            "pulumi:providers:gcp": 1,
            "pulumi:providers:databricks": 2,
            "gcp:compute/subnetwork:Subnetwork": 2,
            "gcp:compute/firewall:Firewall": 1,
            "gcp:container/cluster:Cluster": 1,
            // The Delta Lake bucket, and phase 0's performance baseline results.
            "gcp:storage/bucket:Bucket": 2,
            // Unity Catalog's two roles on the Delta bucket and its two read-only ones on the baseline's; the baseline's writer.
            "gcp:storage/bucketIAMMember:BucketIAMMember": 5,
            "databricks:index/mwsNetworks:MwsNetworks": 1,
            "databricks:index/mwsWorkspaces:MwsWorkspaces": 1,
            "databricks:index/metastoreAssignment:MetastoreAssignment": 1,
            "databricks:index/storageCredential:StorageCredential": 1,
            // The Delta bucket's, and the baseline results' (read-only).
            "databricks:index/externalLocation:ExternalLocation": 2,
            "databricks:index/catalog:Catalog": 1,
            "databricks:index/schema:Schema": 4,
            "databricks:index/volume:Volume": 3,
            "databricks:index/grants:Grants": 2,
            // The A100 cluster's policy and the benchmark job cluster's.
            "databricks:index/clusterPolicy:ClusterPolicy": 2,
            // The A100 cluster and its policy, the warehouse, the benchmark job and its cluster's policy.
            "databricks:index/permissions:Permissions": 5,
            "databricks:index/permissionAssignment:PermissionAssignment": 3,
            "databricks:index/cluster:Cluster": 1,
            "databricks:index/sqlEndpoint:SqlEndpoint": 1,
            "databricks:index/sqlTable:SqlTable": 1,
            "databricks:index/notebook:Notebook": 1,
            "databricks:index/workspaceFile:WorkspaceFile": libraryModules.length,
            "databricks:index/job:Job": 1,
        });
        expect(byType(graph, "databricks:index/sqlTable:SqlTable")[0].inputs.name).toBe("benchmark_results");
    });

    it("creates the workspace through the account API and everything inside it through the workspace provider", () => {
        const account = byName(graph, "pulumi:providers:databricks", "databricks-account");
        const workspace = byName(graph, "pulumi:providers:databricks", "databricks-workspace");
        expect(account.inputs).toMatchObject({
            host: accountsHost,
            accountId: "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
            googleServiceAccount: `databricks-admin@acme-ml-${stack}.iam.gserviceaccount.com`,
        });
        expect(workspace.inputs).toMatchObject({ host: mockWorkspaceUrl, googleServiceAccount: `databricks-admin@acme-ml-${stack}.iam.gserviceaccount.com` });
        // No Unity Catalog object before the workspace has its metastore.
        expect(workspace.dependencies).toContain(byType(graph, "databricks:index/metastoreAssignment:MetastoreAssignment")[0].urn);
        for (const r of databricksResources(graph)) {
            const expected = accountTypes.includes(r.type) ? providerRef(graph, "databricks-account") : providerRef(graph, "databricks-workspace");
            expect(r.provider, r.urn).toBe(expected);
        }
    });

    it("assigns the principals the stack names to the workspace, and gives them access to what they use", () => {
        const assignments = byType(graph, "databricks:index/permissionAssignment:PermissionAssignment");
        const assigned = assignments.map((a) => a.inputs.userName ?? a.inputs.servicePrincipalName ?? a.inputs.groupName);
        expect(assigned).toEqual(
            stack === "dev"
                ? ["ml-engineer@example.com", "2b7e4c1d-9a3f-4e8b-b6d5-0c1f2a3e4d5c", "ml-platform-dev"]
                : ["5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a", "ml-platform", "ml-research"],
        );
        for (const a of assignments) expect(a.inputs.permissions).toEqual(["USER"]);
        const [cluster] = byType(graph, "databricks:index/cluster:Cluster");
        const [warehouse] = byType(graph, "databricks:index/sqlEndpoint:SqlEndpoint");
        const permissions = byType(graph, "databricks:index/permissions:Permissions");
        const namedOn = (field: string, id: string | undefined) =>
            (permissions.find((p) => p.inputs[field] === id)!.inputs.accessControls as Record<string, string>[]).map((c) => c.userName ?? c.servicePrincipalName ?? c.groupName);
        expect(namedOn("clusterId", cluster.id)).toContain(cluster.inputs.singleUserName);
        // The benchmark's SQL and alerts run on the warehouse as the job's run-as identity.
        const runAs = (job(graph, "benchmark_suite").inputs.runAs as { servicePrincipalName: string }).servicePrincipalName;
        expect(namedOn("sqlEndpointId", warehouse.id)).toContain(runAs);
        // Every Permissions naming a principal is created once the principals are assigned
        // (directly, or through the job whose permissions they are).
        const urns = new Set(assignments.map((a) => a.urn));
        const waitsForAssignments = (urn: string, seen = new Set<string>()): boolean => {
            const r = graph.resources.find((x) => x.urn === urn)!;
            if (assignments.every((a) => r.dependencies.includes(a.urn))) return true;
            seen.add(urn);
            return r.dependencies.filter((d) => !urns.has(d) && !seen.has(d)).some((d) => waitsForAssignments(d, seen));
        };
        for (const p of permissions) expect(waitsForAssignments(p.urn), p.urn).toBe(true);
    });

    it("runs the benchmark job as the configured service principal, its cluster under a policy, as its single user", () => {
        const benchmark = job(graph, "benchmark_suite");
        const runAs = stack === "dev" ? "2b7e4c1d-9a3f-4e8b-b6d5-0c1f2a3e4d5c" : "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a";
        expect(benchmark.inputs.runAs).toEqual({ servicePrincipalName: runAs });
        const policies = byType(graph, "databricks:index/clusterPolicy:ClusterPolicy");
        for (const c of benchmark.inputs.jobClusters as JobCluster[]) {
            expect(c.newCluster).toMatchObject({ singleUserName: runAs, applyPolicyDefaultValues: true });
            const policy = policies.find((p) => p.id === c.newCluster.policyId)!;
            expect(JSON.parse(policy.inputs.definition as string).single_user_name).toEqual({ type: "fixed", value: runAs });
        }
        const assignments = byType(graph, "databricks:index/permissionAssignment:PermissionAssignment").map((a) => a.urn);
        expect(benchmark.dependencies).toEqual(expect.arrayContaining(assignments));
    });

    it("creates every custom resource inside a component", () => {
        const components = new Set(programResources(graph).filter((r) => !r.custom).map((r) => r.urn));
        for (const r of programResources(graph).filter((r) => r.custom && !r.external && !isProviderType(r.type))) {
            expect(components.has(r.parent!), `${r.urn} parent`).toBe(true);
        }
    });

    it("labels every labelable resource, Databricks ones through customTags", () => {
        const labelable = programResources(graph).filter((r) => r.custom && labelProperty(r.type));
        const viaCustomTags = labelable.filter((r) => labelProperty(r.type) === "customTags").map((r) => r.type);
        expect(viaCustomTags).toEqual(expect.arrayContaining(["databricks:index/cluster:Cluster"]));
        // A workspace's customTags apply on AWS only; the program sets none.
        expect(byType(graph, "databricks:index/mwsWorkspaces:MwsWorkspaces")[0].inputs.customTags).toBeUndefined();
        for (const resource of labelable) {
            const labels = resource.inputs[labelProperty(resource.type)!] as Record<string, string>;
            expect(Object.keys(labels ?? {}), resource.urn).toEqual(expect.arrayContaining([...requiredLabelKeys]));
            expect(labels.env).toBe(stack);
        }
        const [warehouse] = byType(graph, "databricks:index/sqlEndpoint:SqlEndpoint");
        const tags = (warehouse.inputs.tags as { customTags: { key: string; value: string }[] }).customTags;
        expect(tags.map((t) => t.key)).toEqual([...requiredLabelKeys]);
        const benchmark = job(graph, "benchmark_suite");
        expect(benchmark.inputs.tags).toMatchObject({ env: stack, phase: "phase-1", workload: "benchmark" });
        for (const c of benchmark.inputs.jobClusters as JobCluster[]) expect(c.newCluster.customTags).toMatchObject({ env: stack, workload: "benchmark" });
    });

    it("protects and retains every stateful resource", () => {
        const stateful = programResources(graph).filter((r) => statefulTypes.includes(r.type));
        expect(stateful.length).toBeGreaterThanOrEqual(11);
        for (const r of stateful) expect(r, r.urn).toMatchObject({ protect: true, retainOnDelete: true });
    });

    it("names the workspace, catalog and bucket after the stack", () => {
        expect(byType(graph, "databricks:index/mwsWorkspaces:MwsWorkspaces")[0].inputs).toMatchObject({ workspaceName: `ml-${stack}`, location: "us-central1" });
        expect(byType(graph, "databricks:index/catalog:Catalog")[0].inputs.name).toBe(`ml_${stack}`);
        expect(byType(graph, "gcp:storage/bucket:Bucket").map((b) => b.inputs.name).sort()).toEqual([`acme-ml-${stack}-delta-lake`, `acme-ml-${stack}-performance-baseline`]);
        // Dev and prod share the region's metastore: different catalog names keep them apart.
        expect(byType(graph, "databricks:index/metastoreAssignment:MetastoreAssignment")[0].inputs.metastoreId).toBe("7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d");
    });

    it("puts the workspace on its own subnet of the phase-0 VPC, egressing through its NAT", () => {
        const vpc = byType(graph, "gcp:compute/network:Network")[0];
        const subnet = byName(graph, "gcp:compute/subnetwork:Subnetwork", "ml-workspace-subnet");
        expect(subnet.inputs).toMatchObject({ ipCidrRange: "10.28.0.0/22", privateIpGoogleAccess: true });
        expect(subnet.dependencies).toContain(vpc.urn);
        const nat = byType(graph, "gcp:compute/routerNat:RouterNat")[0];
        expect(nat.inputs.sourceSubnetworkIpRangesToNat).toBe("ALL_SUBNETWORKS_ALL_IP_RANGES");
        expect(byType(graph, "databricks:index/mwsWorkspaces:MwsWorkspaces")[0].dependencies).toContain(nat.urn);
    });

    it("sizes the A100 cluster from the stack, within the seed's bounds and cost rules", () => {
        const [cluster] = byType(graph, "databricks:index/cluster:Cluster");
        const expected = stack === "dev" ? { minWorkers: 1, maxWorkers: 2 } : { minWorkers: a100ClusterWorkers.min, maxWorkers: a100ClusterWorkers.max };
        expect(cluster.inputs).toMatchObject({
            sparkVersion: "15.4.x-gpu-ml-scala2.12",
            nodeTypeId: "a2-highgpu-1g",
            autoscale: expected,
            autoterminationMinutes: costRules.databricks.clusterIdleTimeoutMinutes,
            dataSecurityMode: "SINGLE_USER",
            runtimeEngine: "STANDARD",
            singleUserName: stack === "dev" ? "ml-engineer@example.com" : "5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a",
        });
    });

    it("runs the benchmark suite on an A100 job cluster fixed at the training size, with the gates from the seed's table", () => {
        const benchmark = job(graph, "benchmark_suite");
        const [cluster] = benchmark.inputs.jobClusters as JobCluster[];
        // The training job cluster's size (the configured maximum before phase 3): one process per worker GPU.
        const workers = stack === "dev" ? 2 : 8;
        expect(cluster.newCluster).toMatchObject({ runtimeEngine: "STANDARD", nodeTypeId: "a2-highgpu-1g", numWorkers: workers });
        expect(cluster.newCluster.gcpAttributes).not.toHaveProperty("googleServiceAccount");
        expect(benchmark.inputs.schedule).toBeUndefined();
        const parameters = Object.fromEntries((benchmark.inputs.parameters as { name: string; default: string }[]).map((p) => [p.name, p.default]));
        expect(parameters).toMatchObject({
            catalog: `ml_${stack}`,
            lib_path: "/Workspace/Shared/lib",
            results_table: "ml.benchmark_results",
            workers: String(workers),
            gpus: String(workers),
            runtime: `Databricks Runtime ${defaultGpuMlRuntime}`,
            // Phase 0's performance baseline, read in place through a read-only external location.
            baseline_uri: `gs://acme-ml-${stack}-performance-baseline/runs/`,
            // Phase 3 declares the metrics; before it the suite writes none.
            metric_prefix: "custom.googleapis.com/ml",
            metrics_project: "",
        });
        const gates = JSON.parse(parameters.gates);
        for (const [gate, g] of Object.entries(successGates)) expect(gates[gate]).toEqual({ op: g.op, ratio: g.ratio });
        expect(benchmark.inputs.emailNotifications).toMatchObject({ onFailures: expect.arrayContaining(["ml-platform-alerts@example.com"]) });
        const location = byName(graph, "databricks:index/externalLocation:ExternalLocation", "gcp-baseline-results-location");
        expect(location.inputs).toMatchObject({ url: parameters.baseline_uri, readOnly: true, name: `ml_${stack}_gcp_baseline` });
        expect(location.protect).toBe(true);
        // The job's run-as principal may read the files, nothing more.
        const grants = byName(graph, "databricks:index/grants:Grants", "gcp-baseline-results-grants").inputs.grants as { privileges: string[] }[];
        expect(grants.flatMap((g) => g.privileges)).toEqual(["READ_FILES"]);
    });

    it("exports the workspace URL, catalog, cluster and warehouse", () => {
        expect(graph.outputs).toMatchObject({ phase: 1, databricksWorkspaceUrl: mockWorkspaceUrl, databricksCatalog: `ml_${stack}`, a100ClusterId: "a100-id", sqlWarehouseId: "sql-id" });
        expect(graph.outputs.modelTrainingJobId).toBeUndefined();
    });
});
