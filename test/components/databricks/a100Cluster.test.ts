import * as databricks from "@pulumi/databricks";
import { describe, expect, it } from "vitest";
import { A100Cluster, A100ClusterArgs } from "../../../components/databricks/a100Cluster";
import { a100PolicyDefinition, maxFirstOnDemand, PolicyDefinition, policyAttributes, policyViolations } from "../../../domain/databricks/clusterPolicyRules";
import { gpuClusterSpec, photonClusterSpec } from "../../../domain/databricks/clusterSpec";
import { a100NodeTypeNames } from "../../../domain/databricks/nodeTypes";
import { a100ClusterWorkers, costRules } from "../../../domain/targets";
import { ResourceGraph } from "../../../tools/model/graph";
import { byType, runProgram } from "../../harness";

const tags = { team: "t", env: "e", phase: "phase-1", workload: "training", "cost-center": "c" };
const args: A100ClusterArgs = {
    clusterName: "a100-training-dev",
    policyName: "a100-training-dev",
    sparkVersion: "15.4.x-gpu-ml-scala2.12",
    nodeType: "a2-highgpu-1g",
    minWorkers: a100ClusterWorkers.min,
    maxWorkers: a100ClusterWorkers.max,
    autoterminationMinutes: costRules.databricks.clusterIdleTimeoutMinutes,
    gpuMemoryFraction: costRules.gpuMemoryUtilization,
    singleUserName: "ml-engineer@example.com",
    customTags: tags,
    access: {
        cluster: [
            { userName: "ml-engineer@example.com", permissionLevel: "CAN_RESTART" },
            { groupName: "ml-platform", permissionLevel: "CAN_MANAGE" },
        ],
        policy: [{ userName: "ml-engineer@example.com", permissionLevel: "CAN_USE" }],
    },
};

function run(overrides: Partial<A100ClusterArgs> = {}): Promise<ResourceGraph> {
    return runProgram(() => {
        const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
        new A100Cluster("a100", { ...args, ...overrides }, { providers: [workspace] });
    });
}

describe("A100Cluster", () => {
    it("translates the seed's workspace_config: dedicated GPU ML runtime on A100, 2-8 workers, 30-minute idle stop", async () => {
        const graph = await run();
        const [cluster] = byType(graph, "databricks:index/cluster:Cluster");
        const [policy] = byType(graph, "databricks:index/clusterPolicy:ClusterPolicy");
        expect(cluster.inputs).toMatchObject({
            clusterName: "a100-training-dev",
            sparkVersion: "15.4.x-gpu-ml-scala2.12",
            nodeTypeId: "a2-highgpu-1g",
            driverNodeTypeId: "a2-highgpu-1g",
            dataSecurityMode: "SINGLE_USER",
            singleUserName: "ml-engineer@example.com",
            runtimeEngine: "STANDARD",
            autoscale: { minWorkers: 2, maxWorkers: 8 },
            autoterminationMinutes: 30,
            gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 },
            sparkEnvVars: { GPU_MEMORY_FRACTION: "0.85" },
            customTags: tags,
            policyId: policy.id,
            noWait: true,
        });
        expect(cluster.inputs.numWorkers).toBeUndefined();
        expect(cluster.dependencies).toContain(policy.urn);
    });

    it("publishes a policy with the same limits, which its own cluster meets", async () => {
        const graph = await run();
        const [policy] = byType(graph, "databricks:index/clusterPolicy:ClusterPolicy");
        const definition = JSON.parse(policy.inputs.definition as string) as PolicyDefinition;
        expect(definition).toMatchObject({
            spark_version: { type: "fixed", value: "15.4.x-gpu-ml-scala2.12" },
            node_type_id: { type: "allowlist", values: [...a100NodeTypeNames], defaultValue: "a2-highgpu-1g" },
            runtime_engine: { type: "fixed", value: "STANDARD", hidden: true },
            data_security_mode: { type: "fixed", value: "SINGLE_USER" },
            "autoscale.max_workers": { type: "range", maxValue: 8 },
            autotermination_minutes: { type: "range", maxValue: 30 },
            "gcp_attributes.availability": { type: "fixed", value: "PREEMPTIBLE_WITH_FALLBACK_GCP" },
            "gcp_attributes.first_on_demand": { type: "range", minValue: 1, maxValue: 3 },
            "spark_env_vars.GPU_MEMORY_FRACTION": { type: "fixed", value: "0.85" },
            "custom_tags.cost-center": { type: "fixed", value: "c" },
        });
        expect(policy.inputs).toMatchObject({ name: "a100-training-dev", maxClustersPerUser: 1 });
    });

    it.each<[string, Partial<A100ClusterArgs>, string]>([
        ["the seed's Azure-style node type", { nodeType: "Standard_A100_v5" }, 'nodeType "Standard_A100_v5": expected one of a2-highgpu-1g'],
        ["a longer idle timeout than the seed's", { autoterminationMinutes: 45 }, "autoterminationMinutes 45: expected 10 to 30"],
        ["equal autoscale bounds", { minWorkers: 4, maxWorkers: 4 }, "minWorkers 4: expected less than maxWorkers (4)"],
        ["a GPU memory fraction above 1", { gpuMemoryFraction: 1.5 }, "gpuMemoryFraction 1.5"],
        ["a CPU runtime", { sparkVersion: "15.4.x-scala2.12" }, 'sparkVersion "15.4.x-scala2.12" on a2-highgpu-1g: expected a GPU ML runtime'],
    ])("refuses %s, naming it", async (_, overrides, message) => {
        const error = await run(overrides).catch((e) => e);
        expect(error.message).toContain("A100Cluster a100");
        expect(error.message).toContain(message);
        expect(error.registered.filter((r: { type: string }) => !r.type.startsWith("pulumi:"))).toEqual([]);
    });
});

describe("A100 policy rules", () => {
    const limits = { ...args, nodeTypes: a100NodeTypeNames, defaultNodeType: "a2-highgpu-1g" };
    const definition = a100PolicyDefinition(limits);
    const spec = gpuClusterSpec(args);
    const size = { autoscale: { minWorkers: 2, maxWorkers: 8 }, autoterminationMinutes: 30 };

    it("leaves at most the seed's 30% of the largest cluster's workers on demand", () => {
        expect(maxFirstOnDemand(8)).toBe(3);
        expect(maxFirstOnDemand(10)).toBe(4);
        expect(maxFirstOnDemand(2)).toBe(1);
        expect(maxFirstOnDemand(10, 1)).toBe(1);
    });

    it("accepts the cluster built from the same limits", () => {
        expect(policyViolations(definition, policyAttributes(spec, size))).toEqual([]);
    });

    it("rejects Photon, shared mode, more workers, a longer idle time, other tags and more on-demand nodes", () => {
        const photonSpec = { ...spec, runtimeEngine: "PHOTON" as const, dataSecurityMode: "USER_ISOLATION" as const, customTags: { ...tags, team: "other" } };
        const violations = policyViolations(
            definition,
            policyAttributes(
                { ...photonSpec, gcpAttributes: { ...spec.gcpAttributes, firstOnDemand: 5 } },
                { autoscale: { minWorkers: 2, maxWorkers: 16 }, autoterminationMinutes: 120 },
            ),
        ).join("\n");
        for (const path of ["runtime_engine", "data_security_mode", "autoscale.max_workers", "autotermination_minutes", "custom_tags.team", "gcp_attributes.first_on_demand"]) {
            expect(violations).toContain(`${path} = `);
        }
    });

    it("rejects a CPU Photon cluster's node type and runtime", () => {
        const cpu = photonClusterSpec({ sparkVersion: "15.4.x-scala2.12", nodeType: "n2-highmem-8", customTags: tags });
        const violations = policyViolations(definition, policyAttributes(cpu, size)).join("\n");
        expect(violations).toContain('node_type_id = "n2-highmem-8": the policy allows a2-highgpu-1g');
        expect(violations).toContain('spark_version = "15.4.x-scala2.12"');
    });
});

describe("A100Cluster access", () => {
    it("gives its single user and the named groups their levels on the cluster and its policy, one Permissions each", async () => {
        const graph = await run();
        const [cluster] = byType(graph, "databricks:index/cluster:Cluster");
        const [policy] = byType(graph, "databricks:index/clusterPolicy:ClusterPolicy");
        const permissions = byType(graph, "databricks:index/permissions:Permissions");
        expect(permissions).toHaveLength(2);
        expect(permissions.find((p) => p.inputs.clusterId === cluster.id)!.inputs.accessControls).toEqual(args.access.cluster);
        expect(permissions.find((p) => p.inputs.clusterPolicyId === policy.id)!.inputs.accessControls).toEqual(args.access.policy);
    });

    it("refuses access that leaves out the single user, the only one who can run on it", async () => {
        const error = await run({ access: { cluster: [{ groupName: "ml-platform", permissionLevel: "CAN_MANAGE" }], policy: [] } }).catch((e) => e);
        expect(error.message).toContain('A100Cluster a100: access.cluster: expected a permission for the single user "ml-engineer@example.com"');
    });
});
