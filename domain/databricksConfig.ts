/**
 * Rules of the `migration:databricks` group that span keys: the identities a Databricks
 * phase needs, worker bounds, the workspace subnet against the VPC's other ranges, and every
 * A100 cluster that can run at once against the quota requested in phase 0 (and that quota
 * against the project's all-regions GPU ceiling). Pure, called by config.ts and the phases.
 */
import { WorkspaceRoles } from "./databricks/access";
import { a100ClustersAtOnce, a100Demand, a100WorkerBudget } from "./databricks/a100Demand";
import { allRegionsGpus } from "./gcp/gpuQuota";
import { phaseCapabilities } from "./targets";
import { a100NodeTypes, defaultCpuRuntime, defaultGpuMlRuntime, minDedicatedRuntimeText, supportsDedicatedAccess } from "./databricks/nodeTypes";
import { cidrsOverlap, isNetworkAddress, parseCidr } from "./gcp/cidr";
import type { ConfigProblem } from "./stackConfig";
import { h100MachineTypes, ParsedConfig } from "./configSchema";

const key = (path: string) => `migration:databricks.${path}`;

/** Keys a stack must set before it can deploy the phase, with what each accepts. */
type RequiredKey = "accountId" | "googleServiceAccount" | "metastoreId" | "clusterUser" | "jobsRunAs" | "migrationSource";
const requiredFrom: { phase: number; path: RequiredKey; accepted: string }[] = [
    { phase: phaseCapabilities.databricks, path: "accountId", accepted: "a Databricks account ID (a UUID), required from phase 1" },
    {
        phase: phaseCapabilities.databricks,
        path: "googleServiceAccount",
        accepted: "the e-mail of a Google service account that is a Databricks account admin, required from phase 1",
    },
    { phase: phaseCapabilities.databricks, path: "metastoreId", accepted: "the Unity Catalog metastore ID of the region (a UUID), required from phase 1" },
    { phase: phaseCapabilities.databricks, path: "clusterUser", accepted: "the user or service principal the dedicated A100 cluster runs as, required from phase 1" },
    {
        phase: phaseCapabilities.databricks,
        path: "jobsRunAs",
        accepted: "the application ID (a UUID) of the service principal the jobs run as, required from phase 1",
    },
    { phase: phaseCapabilities.workloadMigration, path: "migrationSource", accepted: "the GCS URI of the data to migrate (gs://bucket/path), required from phase 2" },
];

export function databricksConfigProblems(config: ParsedConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const db = config.databricks;

    for (const rule of requiredFrom) {
        if (config.phase >= rule.phase && db[rule.path] === undefined) {
            problems.push({ key: key(rule.path), value: "(not set)", accepted: rule.accepted });
        }
    }

    for (const group of ["a100", "dataPrep"] as const) {
        const { minWorkers, maxWorkers } = db[group];
        // Databricks autoscaling needs max strictly above min.
        if (minWorkers >= maxWorkers) {
            problems.push({
                key: key(`${group}.minWorkers`),
                value: String(minWorkers),
                accepted: `an integer less than ${key(`${group}.maxWorkers`)} (${maxWorkers})`,
            });
        }
    }

    problems.push(...subnetProblems(config));
    problems.push(...accessProblems(config));
    for (const [group, example] of [["a100", defaultGpuMlRuntime], ["dataPrep", defaultCpuRuntime]] as const) {
        const version = db[group].sparkVersion;
        if (!supportsDedicatedAccess(version)) {
            problems.push({
                key: key(`${group}.sparkVersion`),
                value: JSON.stringify(version),
                accepted: `a runtime of ${minDedicatedRuntimeText} or later, such as ${example}: the clusters run in dedicated access mode, whose fine-grained access control needs it`,
            });
        }
    }

    if (config.phase >= phaseCapabilities.databricks) problems.push(...quotaProblems(config));
    return problems;
}

/** The A100 GPUs of every A100 cluster that can run at once, at the configured sizes. */
export function configuredA100Demand(config: Pick<ParsedConfig, "databricks">) {
    const { a100 } = config.databricks;
    return a100Demand(a100ClustersAtOnce({ maxWorkers: a100.maxWorkers }), a100NodeTypes[a100.nodeType].gpus);
}

/**
 * The preemptible GPUs each A100 cluster may reach while every A100 cluster runs at
 * once within the requested quota: the workload distribution's ceiling for the A100 clusters.
 */
export function a100ClusterGpuBudget(config: Pick<ParsedConfig, "databricks" | "a100Quota">): number {
    const { a100 } = config.databricks;
    const gpus = a100NodeTypes[a100.nodeType].gpus;
    return a100WorkerBudget(config.a100Quota.preemptibleGpus, gpus) * gpus;
}

/** The all-regions GPU ceiling the stack requests: as configured, or every GPU it can run at once. */
export function requestedAllRegionsGpus(config: Pick<ParsedConfig, "quota" | "h100" | "a100Quota">): number {
    return config.quota.allRegionsGpus ?? allRegionsGpuNeed(config);
}

function allRegionsGpuNeed(config: Pick<ParsedConfig, "h100" | "a100Quota">): number {
    return allRegionsGpus({
        h100Gpus: config.h100.maxNodes * h100MachineTypes[config.h100.machineType].count,
        a100Gpus: config.a100Quota.gpus + config.a100Quota.preemptibleGpus,
    });
}

/** The all-regions ceiling may be raised above the need (another workload uses GPUs), never below. */
export function allRegionsQuotaProblems(config: ParsedConfig): ConfigProblem[] {
    const need = allRegionsGpuNeed(config);
    const configured = config.quota.allRegionsGpus;
    if (configured === undefined || configured >= need) return [];
    return [
        {
            key: "migration:quota.allRegionsGpus",
            value: String(configured),
            accepted: `an integer ≥ ${need}: the H100 pools at their largest (${config.h100.maxNodes} × ${h100MachineTypes[config.h100.machineType].count} GPUs) and the A100 quota requested (${config.a100Quota.gpus} + ${config.a100Quota.preemptibleGpus}) all count against it`,
        },
    ];
}

/**
 * Every A100 cluster that can run at once draws on the quota phase 0 asks for: their drivers on
 * demand, their workers preemptible. A node type of the other A100 variant would have no quota
 * at all. Checked once Databricks is deployed; in phase 0 the request may run ahead of the plan.
 */
function quotaProblems(config: ParsedConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const db = config.databricks;
    const node = a100NodeTypes[db.a100.nodeType];
    const clusters = a100ClustersAtOnce({ maxWorkers: db.a100.maxWorkers });
    const sizes = clusters.map((c) => `${c.name} (1 driver + ${c.maxWorkers} workers)`).join(", ");
    if (node.variant !== config.a100Quota.variant) {
        problems.push({
            key: key("a100.nodeType"),
            value: JSON.stringify(db.a100.nodeType),
            accepted: `an A100 node type of the variant migration:a100Quota.variant requests (${config.a100Quota.variant}): ${
                config.a100Quota.variant === "a100-80gb" ? "a2-ultragpu-*" : "a2-highgpu-* or a2-megagpu-16g"
            }`,
        });
    } else {
        const demand = configuredA100Demand(config);
        if (demand.onDemandGpus > config.a100Quota.gpus) {
            problems.push({
                key: "migration:a100Quota.gpus",
                value: String(config.a100Quota.gpus),
                accepted: `an integer ≥ ${demand.onDemandGpus}: the on-demand drivers (${node.gpus} GPU(s) each, ${db.a100.nodeType}) of every A100 cluster that can run at once: ${sizes}`,
            });
        }
        if (demand.preemptibleGpus > config.a100Quota.preemptibleGpus) {
            problems.push({
                key: "migration:a100Quota.preemptibleGpus",
                value: String(config.a100Quota.preemptibleGpus),
                accepted: `an integer ≥ ${demand.preemptibleGpus}: the preemptible workers (${node.gpus} GPU(s) each, ${db.a100.nodeType}) of every A100 cluster that can run at once: ${sizes}; or fewer migration:databricks.a100.maxWorkers`,
            });
        }
    }
    if (config.a100Quota.region !== undefined && config.a100Quota.region !== config.region) {
        problems.push({
            key: "migration:a100Quota.region",
            value: JSON.stringify(config.a100Quota.region),
            accepted: `the workspace's region, migration:region (${config.region}), once Databricks is deployed`,
        });
    }
    return problems;
}

/** Databricks on GCP wants a subnet of its own, /29 to /9, clear of every other range. */
function subnetProblems(config: ParsedConfig): ConfigProblem[] {
    const cidr = config.databricks.subnetCidr;
    const problem = (accepted: string) => ({ key: key("subnetCidr"), value: JSON.stringify(cidr), accepted });
    const { prefix } = parseCidr(cidr);
    if (prefix < 9 || prefix > 29) return [problem("a block from /9 to /29 (Databricks on GCP's subnet sizes)")];
    if (!isNetworkAddress(cidr)) return [problem(`the first address of its /${prefix} block`)];
    const others = {
        "network.subnetCidr": config.network.subnetCidr,
        "network.podsCidr": config.network.podsCidr,
        "network.servicesCidr": config.network.servicesCidr,
        "network.masterCidr": config.network.masterCidr,
    };
    return Object.entries(others)
        .filter(([, other]) => cidrsOverlap(cidr, other))
        .map(([name, other]) => problem(`a block that does not overlap migration:${name} (${other})`));
}

/** The workspace roles the stack config names; only from phase 1, once the identities are required. */
export function workspaceRoles(config: Pick<ParsedConfig, "databricks">): WorkspaceRoles {
    const db = config.databricks;
    if (db.clusterUser === undefined || db.jobsRunAs === undefined) {
        throw new Error("migration:databricks.clusterUser and migration:databricks.jobsRunAs are required from phase 1");
    }
    return { clusterUser: db.clusterUser, jobsRunAs: db.jobsRunAs, operators: db.access.operators, viewers: db.access.viewers };
}

/** A group named twice, or in both lists, would get two levels on one object. */
function accessProblems(config: ParsedConfig): ConfigProblem[] {
    const problems: ConfigProblem[] = [];
    const seen = new Map<string, string>();
    for (const list of ["operators", "viewers"] as const) {
        config.databricks.access[list].forEach((group, i) => {
            const where = seen.get(group);
            if (where !== undefined) {
                problems.push({
                    key: key(`access.${list}[${i}]`),
                    value: JSON.stringify(group),
                    accepted: `a group not already named in ${key(where)}: each group has one role`,
                });
            }
            seen.set(group, `access.${list}[${i}]`);
        });
    }
    return problems;
}
