import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { costRules } from "../../domain/targets";
import { withDependencies } from "../dependencies";
import { AccessControl } from "../../domain/databricks/access";
import { a100PolicyDefinition, minAutoterminationMinutes, PolicyDefinition, policyAttributes, policyViolations } from "../../domain/databricks/clusterPolicyRules";
import { ClusterSpec, gpuClusterSpec } from "../../domain/databricks/clusterSpec";
import { a100NodeTypeNames, isA100NodeType } from "../../domain/databricks/nodeTypes";
import { MigrationComponent } from "../stateful";

export interface A100ClusterArgs {
    clusterName: string;
    policyName: string;
    sparkVersion: string;
    nodeType: string;
    minWorkers: number;
    maxWorkers: number;
    autoterminationMinutes: number;
    gpuMemoryFraction: number;
    /** The user or service principal of the dedicated (single-user) cluster. */
    singleUserName: string;
    customTags: Record<string, string>;
    /** Who may use the cluster (its single user at least) and create clusters under its policy. */
    access: { cluster: AccessControl[]; policy: AccessControl[] };
}

/**
 * Seed Phase 1, Day 1-2 `workspace_config`, translated: the seed's "High Concurrency" mode
 * is legacy and the ML GPU runtime needs dedicated access, and `Standard_A100_v5` becomes an
 * `a2-*` A100 type. Autoscaling 2-8 workers on spot with the driver on demand, idle stop at
 * the seed's 30 minutes. A cluster policy enforces the same limits on clusters users create
 * by hand, and this cluster is held to it: its attributes are checked against the policy
 * before anything is registered.
 */
export class A100Cluster extends MigrationComponent {
    readonly policy: databricks.ClusterPolicy;
    readonly cluster: databricks.Cluster;
    readonly spec: ClusterSpec;
    readonly policyDefinition: PolicyDefinition;
    readonly permissions: { cluster: databricks.Permissions; policy: databricks.Permissions };

    constructor(name: string, args: A100ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const { spec, definition } = plan(name, args);
        super("migration:databricks:A100Cluster", name, {}, opts);
        this.spec = spec;
        this.policyDefinition = definition;

        this.policy = new databricks.ClusterPolicy(
            `${name}-policy`,
            {
                name: args.policyName,
                description: "A100 training clusters: GPU ML runtime, dedicated access, spot workers, 30-minute idle stop",
                definition: JSON.stringify(definition),
                maxClustersPerUser: 1,
            },
            { parent: this },
        );
        this.cluster = new databricks.Cluster(
            name,
            {
                clusterName: args.clusterName,
                policyId: this.policy.id,
                ...spec,
                singleUserName: args.singleUserName,
                autoscale: { minWorkers: args.minWorkers, maxWorkers: args.maxWorkers },
                autoterminationMinutes: args.autoterminationMinutes,
                // Creating a cluster starts it; do not hold the deployment on A100 capacity.
                noWait: true,
            },
            { parent: this },
        );
        // One Permissions per object: the resource is authoritative, so two would undo each other.
        // The component's dependsOn (the principals' workspace assignments) reaches them this way only.
        const afterAssignments = { parent: this, dependsOn: withDependencies(`A100Cluster ${name}`, opts?.dependsOn, []) };
        this.permissions = {
            cluster: new databricks.Permissions(`${name}-permissions`, { clusterId: this.cluster.id, accessControls: args.access.cluster }, afterAssignments),
            policy: new databricks.Permissions(`${name}-policy-permissions`, { clusterPolicyId: this.policy.id, accessControls: args.access.policy }, afterAssignments),
        };
        this.registerOutputs({ clusterId: this.cluster.id, policyId: this.policy.id });
    }
}

function plan(name: string, args: A100ClusterArgs): { spec: ClusterSpec; definition: PolicyDefinition } {
    const problems: string[] = [];
    if (!isA100NodeType(args.nodeType)) {
        problems.push(`nodeType ${JSON.stringify(args.nodeType)}: expected one of ${a100NodeTypeNames.join(", ")}`);
    }
    if (!Number.isInteger(args.minWorkers) || !Number.isInteger(args.maxWorkers) || args.minWorkers < 0 || args.maxWorkers < 1) {
        problems.push(`workers ${args.minWorkers}-${args.maxWorkers}: expected integers, minWorkers ≥ 0 and maxWorkers ≥ 1`);
    } else if (args.minWorkers >= args.maxWorkers) {
        // Databricks: "maxWorkers must be strictly greater than min_workers".
        problems.push(`minWorkers ${args.minWorkers}: expected less than maxWorkers (${args.maxWorkers})`);
    }
    const idle = costRules.databricks.clusterIdleTimeoutMinutes;
    if (args.autoterminationMinutes < minAutoterminationMinutes || args.autoterminationMinutes > idle) {
        problems.push(`autoterminationMinutes ${args.autoterminationMinutes}: expected ${minAutoterminationMinutes} to ${idle} (seed cluster_idle_timeout)`);
    }
    if (!(args.gpuMemoryFraction > 0 && args.gpuMemoryFraction <= 1)) {
        problems.push(`gpuMemoryFraction ${args.gpuMemoryFraction}: expected a number above 0, at most 1`);
    }
    if (args.singleUserName.trim() === "") problems.push("singleUserName: expected a user or service principal");
    const named = (c: AccessControl) => c.userName === args.singleUserName || c.servicePrincipalName === args.singleUserName;
    if (!args.access.cluster.some(named)) {
        problems.push(`access.cluster: expected a permission for the single user ${JSON.stringify(args.singleUserName)}, the only one who can run on a dedicated cluster`);
    }
    if (problems.length > 0) throw new Error(`A100Cluster ${name}: ${problems.join("; ")}`);

    let spec: ClusterSpec;
    try {
        spec = gpuClusterSpec(args);
    } catch (err) {
        throw new Error(`A100Cluster ${name}: ${(err as Error).message}`);
    }
    const definition = a100PolicyDefinition({ ...args, nodeTypes: a100NodeTypeNames, defaultNodeType: args.nodeType });
    const violations = policyViolations(
        definition,
        policyAttributes(spec, {
            autoscale: { minWorkers: args.minWorkers, maxWorkers: args.maxWorkers },
            autoterminationMinutes: args.autoterminationMinutes,
        }),
    );
    if (violations.length > 0) throw new Error(`A100Cluster ${name} breaks its own policy: ${violations.join("; ")}`);
    return { spec, definition };
}
