import { describe, expect, it } from "vitest";
import { cidrsOverlap, isNetworkAddress, parseCidr } from "../../domain/gcp/cidr";
import { a100ClusterWorkers, costRules } from "../../domain/targets";
import { readProject, readStackConfig } from "../../tools/engine/project";
import { configProblems, parseStack, projectDir } from "../harness";

/** The stack's Databricks group with some keys changed (a group is one config value). */
function databricks(stack: string, change: Record<string, unknown>): Record<string, unknown> {
    const { values } = readStackConfig(readProject(projectDir), stack);
    const group = JSON.parse(values["migration:databricks"]) as Record<string, unknown>;
    for (const [key, value] of Object.entries(change)) {
        if (value === undefined) delete group[key];
        else group[key] = value;
    }
    return { "migration:databricks": group };
}

describe("migration:databricks", () => {
    it("fills the seed's values and the modern runtime in as defaults", () => {
        const { databricks: db } = parseStack("prod", { "migration:databricks": {} });
        expect(db.a100).toEqual({
            sparkVersion: "15.4.x-gpu-ml-scala2.12",
            nodeType: "a2-highgpu-1g",
            minWorkers: a100ClusterWorkers.min,
            maxWorkers: a100ClusterWorkers.max,
            autoterminationMinutes: costRules.databricks.clusterIdleTimeoutMinutes,
            gpuMemoryFraction: costRules.gpuMemoryUtilization,
        });
        expect(db.dataPrep).toMatchObject({ sparkVersion: "15.4.x-scala2.12", nodeType: "n2-highmem-8" });
        expect(db.access).toEqual({ operators: [], viewers: [] });
        expect(db.warehouse).toEqual({ clusterSize: "2X-Small", autoStopMinutes: 10, maxClusters: 1 });
        expect(db.subnetCidr).toBe("10.28.0.0/22");
        expect(db.schedulesPaused).toBe(false);
    });

    it("parses both stacks' Databricks settings at phases 1 and 2", () => {
        for (const stack of ["dev", "prod"]) {
            for (const phase of ["1", "2"]) expect(() => parseStack(stack, { "migration:phase": phase })).not.toThrow();
        }
        expect(parseStack("dev", {}).databricks).toMatchObject({ schedulesPaused: true, a100: { minWorkers: 1, maxWorkers: 2 } });
    });

    it.each<[string, Record<string, unknown>, string, string]>([
        ["the seed's Azure-style node type", { a100: { nodeType: "Standard_A100_v5" } }, "migration:databricks.a100.nodeType", 'one of "a2-highgpu-1g"'],
        ["the plan's runtime name", { a100: { sparkVersion: "ML Runtime 14.3" } }, "migration:databricks.a100.sparkVersion", "a GPU ML runtime such as 15.4.x-gpu-ml-scala2.12"],
        ["the plan's 14.3 runtime, too old for dedicated access", { a100: { sparkVersion: "14.3.x-gpu-ml-scala2.12" } }, "migration:databricks.a100.sparkVersion", "a runtime of 15.4 LTS or later, such as 15.4.x-gpu-ml-scala2.12"],
        ["a 14.3 data-prep runtime", { dataPrep: { sparkVersion: "14.3.x-scala2.12" } }, "migration:databricks.dataPrep.sparkVersion", "a runtime of 15.4 LTS or later, such as 15.4.x-scala2.12"],
        ["a CPU runtime for the A100s", { a100: { sparkVersion: "15.4.x-scala2.12" } }, "migration:databricks.a100.sparkVersion", "GPU ML runtime"],
        ["a longer idle timeout than the seed's", { a100: { autoterminationMinutes: 45 } }, "migration:databricks.a100.autoterminationMinutes", "an integer from 10 to 30"],
        ["a GPU memory fraction of 0", { a100: { gpuMemoryFraction: 0 } }, "migration:databricks.a100.gpuMemoryFraction", "a number above 0, at most 1"],
        ["an ML runtime for data prep", { dataPrep: { sparkVersion: "15.4.x-gpu-ml-scala2.12" } }, "migration:databricks.dataPrep.sparkVersion", "a CPU runtime (not ML/GPU)"],
        ["a GPU node for data prep", { dataPrep: { nodeType: "a2-highgpu-1g" } }, "migration:databricks.dataPrep.nodeType", "a CPU node type such as n2-highmem-8"],
        ["a warehouse that never stops", { warehouse: { autoStopMinutes: 0 } }, "migration:databricks.warehouse.autoStopMinutes", "an integer from 1 to 30"],
        ["an account ID that is not a UUID", { accountId: "acme" }, "migration:databricks.accountId", "a Databricks account ID (a UUID"],
        ["a personal e-mail instead of a service account", { googleServiceAccount: "alice@example.com" }, "migration:databricks.googleServiceAccount", "the e-mail of a Google service account"],
        ["a DBFS mount as migration source", { migrationSource: "/mnt/models" }, "migration:databricks.migrationSource", "a GCS URI such as gs://"],
        ["a cluster user that is neither e-mail nor UUID", { clusterUser: "alice" }, "migration:databricks.clusterUser", "a workspace user's e-mail or a service principal's application ID"],
        ["a person as the jobs' run-as identity", { jobsRunAs: "ml-engineer@example.com" }, "migration:databricks.jobsRunAs", "the application ID (a UUID) of the service principal every job runs as"],
        ["the workspace-local users group", { access: { viewers: ["users"] } }, "migration:databricks.access.viewers[0]", "not the workspace-local users or admins"],
        ["a group with two roles", { access: { operators: ["ml-platform"], viewers: ["ml-platform"] } }, "migration:databricks.access.viewers[0]", "a group not already named in migration:databricks.access.operators[0]"],
        ["an unknown key", { photon: true }, "migration:databricks.photon", "no such key; known keys are accountId"],
    ])("rejects %s, saying what is accepted", (_, change, key, accepted) => {
        const problems = configProblems(() => parseStack("dev", databricks("dev", change)));
        expect(problems).toHaveLength(1);
        expect(problems[0].key).toBe(key);
        expect(problems[0].accepted).toContain(accepted);
    });

    it("requires the Databricks identities from phase 1 and the migration source from phase 2, not before", () => {
        // The plan's default sizes, with the quota that covers them (also the default).
        const bare = { "migration:databricks": {}, "migration:a100Quota": {} };
        expect(() => parseStack("dev", { ...bare, "migration:phase": "0" })).not.toThrow();
        const phase1 = configProblems(() => parseStack("dev", { ...bare, "migration:phase": "1" }));
        expect(phase1.map((p) => p.key).sort()).toEqual([
            "migration:databricks.accountId",
            "migration:databricks.clusterUser",
            "migration:databricks.googleServiceAccount",
            "migration:databricks.jobsRunAs",
            "migration:databricks.metastoreId",
        ]);
        expect(phase1.every((p) => p.value === "(not set)" && p.accepted.includes("required from phase 1"))).toBe(true);
        const phase2 = configProblems(() => parseStack("dev", { ...databricks("dev", { migrationSource: undefined }), "migration:phase": "2" }));
        expect(phase2).toEqual([
            { key: "migration:databricks.migrationSource", value: "(not set)", accepted: expect.stringContaining("required from phase 2") },
        ]);
    });

    it.each<[string, string]>([
        ["10.10.4.0/22", "does not overlap migration:network.subnetCidr (10.10.0.0/20)"],
        ["10.22.0.0/22", "does not overlap migration:network.podsCidr (10.20.0.0/14)"],
        ["10.28.0.0/30", "a block from /9 to /29"],
        ["10.28.2.0/22", "the first address of its /22 block"],
    ])("refuses Databricks subnet %s", (subnetCidr, accepted) => {
        const problems = configProblems(() => parseStack("dev", databricks("dev", { subnetCidr })));
        expect(problems).toEqual([{ key: "migration:databricks.subnetCidr", value: JSON.stringify(subnetCidr), accepted: expect.stringContaining(accepted) }]);
    });

    it("holds the A100 cluster to the quota phase 0 requests, once Databricks is deployed", () => {
        const ultra = databricks("dev", { a100: { nodeType: "a2-ultragpu-1g", minWorkers: 1, maxWorkers: 2 } });
        expect(() => parseStack("dev", { ...ultra, "migration:phase": "0" })).not.toThrow();
        const [variant] = configProblems(() => parseStack("dev", { ...ultra, "migration:phase": "1" }));
        expect(variant).toMatchObject({ key: "migration:databricks.a100.nodeType", accepted: expect.stringContaining("(a100-40gb): a2-highgpu-* or a2-megagpu-16g") });
        expect(() =>
            parseStack("dev", { ...ultra, "migration:phase": "1", "migration:a100Quota": { variant: "a100-80gb", gpus: 3, preemptibleGpus: 6 } }),
        ).not.toThrow();

        // Eight GPUs a node: 3 drivers need 24 on demand, 2 + 2 + 2 workers need 48 preemptible
        // (the training and benchmark clusters are fixed at the A100 maximum).
        const big = databricks("dev", { a100: { nodeType: "a2-highgpu-8g", minWorkers: 1, maxWorkers: 2 } });
        const problems = configProblems(() => parseStack("dev", { ...big, "migration:phase": "1" }));
        expect(problems.map((p) => [p.key, p.value])).toEqual([
            ["migration:a100Quota.gpus", "3"],
            ["migration:a100Quota.preemptibleGpus", "16"],
        ]);
        expect(problems[0].accepted).toMatch(/^an integer ≥ 24: the on-demand drivers \(8 GPU\(s\) each, a2-highgpu-8g\) of every A100 cluster that can run at once: /);
        expect(problems[1].accepted).toContain("an integer ≥ 48");
        expect(problems[1].accepted).toContain("the benchmark_suite job's cluster (1 driver + 2 workers)");
    });

    it("sizes the A100 quota for every A100 cluster that can run at once, not for one", () => {
        // One cluster of prod (1 driver, 8 workers) fits in 1 + 8; the three that run at once do not.
        const problems = configProblems(() => parseStack("prod", { "migration:phase": "1", "migration:a100Quota": { gpus: 1, preemptibleGpus: 8 } }));
        expect(problems.map((p) => p.key)).toEqual(["migration:a100Quota.gpus", "migration:a100Quota.preemptibleGpus"]);
        expect(problems[0].accepted).toContain("an integer ≥ 3");
        expect(problems[1].accepted).toContain("an integer ≥ 24");
        // In phase 0 the request may still run ahead of (or behind) the plan.
        expect(() => parseStack("prod", { "migration:phase": "0", "migration:a100Quota": { gpus: 1, preemptibleGpus: 8 } })).not.toThrow();
    });

    it("defaults the A100 quota to the plan's clusters at once", () => {
        expect(parseStack("prod", { "migration:a100Quota": {} }).a100Quota).toMatchObject({ gpus: 3, preemptibleGpus: 24 });
    });

    it("requires a quota contact of its own, as an address, and an all-regions ceiling no lower than the GPUs that count against it", () => {
        const [missing] = configProblems(() => parseStack("prod", {}, ["migration:quota"]));
        expect(missing).toMatchObject({ key: "migration:quota", value: "(not set)", accepted: expect.stringContaining("{ contactEmail: the e-mail of a Google account") });
        const [bad] = configProblems(() => parseStack("prod", { "migration:quota": { contactEmail: "ml-platform" } }));
        expect(bad).toMatchObject({ key: "migration:quota.contactEmail", value: '"ml-platform"', accepted: expect.stringContaining("with quota-update permission") });
        // prod: 8 H100 nodes × 8 GPUs + 16 + 48 A100 GPUs requested.
        const [low] = configProblems(() => parseStack("prod", { "migration:quota": { contactEmail: "platform-lead@example.com", allRegionsGpus: 100 } }));
        expect(low).toMatchObject({ key: "migration:quota.allRegionsGpus", value: "100", accepted: expect.stringMatching(/^an integer ≥ 128: the H100 pools at their largest \(8 × 8 GPUs\)/) });
        expect(() => parseStack("prod", { "migration:quota": { contactEmail: "platform-lead@example.com", allRegionsGpus: 200 } })).not.toThrow();
    });

    it("requires max workers above min workers (Databricks autoscaling)", () => {
        const [problem] = configProblems(() => parseStack("dev", databricks("dev", { dataPrep: { minWorkers: 3, maxWorkers: 3 } })));
        expect(problem).toEqual({ key: "migration:databricks.dataPrep.minWorkers", value: "3", accepted: "an integer less than migration:databricks.dataPrep.maxWorkers (3)" });
    });

    it("keeps the quota request in the workspace's region", () => {
        const [problem] = configProblems(() => parseStack("prod", { "migration:phase": "1", "migration:a100Quota": { region: "europe-west4" } }));
        expect(problem).toMatchObject({ key: "migration:a100Quota.region", accepted: expect.stringContaining("migration:region (us-central1)") });
    });
});

describe("CIDR arithmetic", () => {
    it("parses, aligns and overlaps IPv4 blocks", () => {
        expect(parseCidr("10.28.0.0/22")).toEqual({ base: 10 * 2 ** 24 + 28 * 2 ** 16, prefix: 22 });
        expect(isNetworkAddress("10.28.0.0/22")).toBe(true);
        expect(isNetworkAddress("10.28.1.0/22")).toBe(false);
        expect(cidrsOverlap("10.20.0.0/14", "10.23.255.0/24")).toBe(true);
        expect(cidrsOverlap("10.20.0.0/14", "10.24.0.0/20")).toBe(false);
        expect(cidrsOverlap("0.0.0.0/0", "172.16.0.0/28")).toBe(true);
        expect(() => parseCidr("10.0.0.300/8")).toThrow(/octets up to 255/);
    });
});
