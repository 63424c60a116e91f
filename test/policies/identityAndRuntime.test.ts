import { describe, expect, it } from "vitest";
import { dedicatedAccessRuntime } from "../../policies/pitfalls/dedicatedRuntime";
import { databricksJobIdentity } from "../../policies/pitfalls/jobIdentity";
import { a100Cluster, dataPrepCluster, runAs, trainingJob } from "./fixtures";
import { runResourcePolicy, unknown } from "./policyHarness";

const messages = (o: { violations: { message: string }[] }) => o.violations.map((v) => v.message);

describe("databricks-job-identity", () => {
    it("passes a job that runs as a service principal, its cluster under a policy, as its single user", async () => {
        expect(messages(await runResourcePolicy(databricksJobIdentity, trainingJob()))).toEqual([]);
    });

    it("flags a job that runs as its deployer, or as a person", async () => {
        expect(messages(await runResourcePolicy(databricksJobIdentity, trainingJob({}, { runAs: undefined })))).toEqual([
            expect.stringContaining("runAs is not set (runs as the deploying identity); required: runAs.servicePrincipalName"),
        ]);
        const person = await runResourcePolicy(databricksJobIdentity, trainingJob({ singleUserName: "alice@example.com" }, { runAs: { userName: "alice@example.com" } }));
        expect(messages(person)[0]).toContain('runAs is "alice@example.com" (not a service principal)');
    });

    it("flags a job cluster outside a policy, or without the policy's defaults", async () => {
        const outcome = await runResourcePolicy(databricksJobIdentity, trainingJob({ policyId: undefined, applyPolicyDefaultValues: false }));
        expect(messages(outcome)).toEqual([
            expect.stringContaining("jobClusters[training].newCluster.policyId is not set; required: a cluster policy for every job cluster"),
            expect.stringContaining("jobClusters[training].newCluster.applyPolicyDefaultValues is false"),
        ]);
    });

    it("flags a dedicated job cluster whose single user is not the run-as identity", async () => {
        const outcome = await runResourcePolicy(databricksJobIdentity, trainingJob({ singleUserName: "ml-platform@example.com" }));
        expect(messages(outcome)).toEqual([expect.stringContaining(`singleUserName is "ml-platform@example.com" while the job runs as "${runAs}"`)]);
    });

    it("skips what is not known at preview, and clusters that are not jobs'", async () => {
        expect(messages(await runResourcePolicy(databricksJobIdentity, trainingJob({ policyId: unknown, singleUserName: unknown })))).toEqual([]);
        expect((await runResourcePolicy(databricksJobIdentity, a100Cluster())).notApplicable).toContain("Databricks jobs");
    });
});

describe("dedicated-access-runtime", () => {
    it("passes 15.4 LTS and later in dedicated mode, and any runtime in standard mode", async () => {
        expect(messages(await runResourcePolicy(dedicatedAccessRuntime, a100Cluster()))).toEqual([]);
        expect(messages(await runResourcePolicy(dedicatedAccessRuntime, a100Cluster({ sparkVersion: "16.4.x-gpu-ml-scala2.13" })))).toEqual([]);
        expect(messages(await runResourcePolicy(dedicatedAccessRuntime, dataPrepCluster({ sparkVersion: "14.3.x-scala2.12" })))).toEqual([]);
    });

    it("flags the plan's 14.3 on a dedicated cluster and in a job cluster", async () => {
        expect(messages(await runResourcePolicy(dedicatedAccessRuntime, a100Cluster({ sparkVersion: "14.3.x-gpu-ml-scala2.12" })))).toEqual([
            expect.stringContaining('sparkVersion is "14.3.x-gpu-ml-scala2.12" in SINGLE_USER access mode; required: Databricks Runtime 15.4 or later'),
        ]);
        expect(messages(await runResourcePolicy(dedicatedAccessRuntime, trainingJob({ sparkVersion: "14.3.x-gpu-ml-scala2.12" })))).toEqual([
            expect.stringContaining("jobClusters[training].newCluster.sparkVersion"),
        ]);
    });

    it("takes a stricter minimum from policy config", async () => {
        const outcome = await runResourcePolicy(dedicatedAccessRuntime, a100Cluster(), { config: { minRuntime: "16.4" } });
        expect(messages(outcome)).toEqual([expect.stringContaining("required: Databricks Runtime 16.4 or later")]);
    });
});
