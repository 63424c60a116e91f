import { describe, expect, it } from "vitest";
import { costRules, hybridDatabricksShare, performanceDegradationAlert } from "../../domain/targets";
import { alertChannelEmails, alertThresholds, stackCapacity, workloadCapacity } from "../../domain/hybridConfig";
import { byType, configProblems, parseStack, runStack } from "../harness";

const phase3 = { "migration:phase": "3" };

describe("migration:workload and migration:monitoring", () => {
    it("defaults to the seed's share, the configured maxima as capacity, all channels and the seed's thresholds", () => {
        const prod = parseStack("prod", phase3);
        expect(prod.workload).toEqual({ databricksShare: hybridDatabricksShare });
        // 8 a3-highgpu-8g + 8 a2-highgpu-1g, in H100-equivalents (an A100 does 0.5417 of an H100's
        // training work); 16 c4a-standard-16 + 8 n2-highmem-8.
        expect(workloadCapacity(prod)).toEqual({ gpus: 64 + 8 * 0.5417, dataVcpus: 320 });
        // A measured figure replaces the table's.
        const measured = parseStack("prod", { ...phase3, "migration:cost": { training: { measuredThroughput: { ratio: 0.6, source: "run d vs g" } } } });
        expect(workloadCapacity(measured).gpus).toBeCloseTo(64 + 8 * 0.6, 9);
        expect(alertChannelEmails(prod)).toEqual(["ml-platform-alerts@example.com", "ml-finops@example.com"]);
        expect(alertThresholds(prod)).toEqual({
            gpuUtilizationFloor: costRules.gcp.minGpuUtilization,
            dbuUtilizationFloor: costRules.databricks.minDbuUtilization,
            performanceDegradation: performanceDegradationAlert,
            dailyCostUsd: costRules.dailyCostAlertUsd,
        });
        expect(workloadCapacity(parseStack("dev", phase3))).toEqual({ gpus: 8 + 2 * 0.5417, dataVcpus: 16 });
    });

    it("distributes only from phase 3: earlier phases deploy the configured sizes", () => {
        const configured = stackCapacity(parseStack("prod", { "migration:phase": "2", "migration:workload": { databricksShare: 1 } }));
        expect(configured).toMatchObject({ h100Nodes: { min: 2, max: 8 }, a100Workers: { min: 2, max: 8 }, movedSchedulesRun: true });
        expect(configured.distribution).toBeUndefined();
        const hybrid = stackCapacity(parseStack("prod", { ...phase3, "migration:workload": { databricksShare: 1 } }));
        // Each of the three A100 clusters that can run at once gets a third of the 48 preemptible GPUs.
        expect(hybrid).toMatchObject({ h100Nodes: { min: 1, max: 3 }, a100Workers: { min: 2, max: 16 } });
        expect(hybrid.distribution?.databricksShare).toBe(1);
    });

    it.each([1.5, -0.2, "most"])("rejects a share of %s, naming the key", (share) => {
        const [problem] = configProblems(() => parseStack("prod", { ...phase3, "migration:workload": { databricksShare: share } }));
        expect(problem).toEqual({ key: "migration:workload.databricksShare", value: JSON.stringify(share), accepted: "a number from 0 to 1" });
    });

    it("rejects a capacity below both platforms' minimums, naming the key and the minimum", () => {
        // prod's minimums: 3 A100 workers × 1 GPU × 0.5417 + 3 H100 nodes × 8 GPUs (both pools kept) = 25.6251 H100-equivalents.
        const [gpus] = configProblems(() => parseStack("prod", { ...phase3, "migration:workload": { gpus: 25 } }));
        expect(gpus.key).toBe("migration:workload.gpus");
        expect(gpus.value).toBe("25");
        expect(gpus.accepted).toMatch(
            /^a capacity ≥ 25\.6251, room for both platforms at once: the A100 minimum \(3 × 1 GPUs × 0\.5417 of an H100\) and the H100 minimum \(3 × 8 GPUs\), in H100-equivalents$/,
        );
        expect(() => parseStack("prod", { ...phase3, "migration:workload": { gpus: 26 } })).not.toThrow();

        // 3 data-prep workers × 8 vCPUs + 2 C4A nodes × 16 vCPUs = 56.
        const [vcpus] = configProblems(() => parseStack("prod", { ...phase3, "migration:workload": { dataVcpus: 40 } }));
        expect(vcpus).toMatchObject({ key: "migration:workload.dataVcpus", value: "40" });
        expect(vcpus.accepted).toContain("an integer ≥ 56");

        const [zero] = configProblems(() => parseStack("dev", { "migration:workload": { gpus: 0 } }));
        expect(zero).toEqual({ key: "migration:workload.gpus", value: "0", accepted: "a GPU capacity in H100-equivalents, above 0" });
    });

    it("rejects an alert channel that is not one of phase 0's, naming the key", () => {
        const [problem] = configProblems(() => parseStack("prod", { ...phase3, "migration:monitoring": { channels: ["ml-finops@example.com", "oncall@example.com"] } }));
        expect(problem.key).toBe("migration:monitoring.channels[1]");
        expect(problem.value).toBe('"oncall@example.com"');
        expect(problem.accepted).toContain("an address of migration:costMonitoring.notificationEmails (ml-platform-alerts@example.com, ml-finops@example.com)");
        const [notEmail] = configProblems(() => parseStack("prod", { "migration:monitoring": { channels: ["pager"] } }));
        expect(notEmail.key).toBe("migration:monitoring.channels[0]");
    });

    it("lets thresholds be made stricter, never looser", () => {
        expect(() => parseStack("prod", { "migration:monitoring": { gpuUtilizationFloor: 0.9, performanceDegradation: 0.1 } })).not.toThrow();
        const problems = configProblems(() =>
            parseStack("prod", { "migration:monitoring": { gpuUtilizationFloor: 0.5, dbuUtilizationFloor: 0.7, performanceDegradation: 0.3 } }),
        );
        expect(problems.map((p) => [p.key, p.accepted])).toEqual([
            ["migration:monitoring.gpuUtilizationFloor", "a number from 0.85 to 1 (the seed's GPU utilisation floor, or stricter)"],
            ["migration:monitoring.dbuUtilizationFloor", "a number from 0.8 to 1 (the seed's DBU utilisation floor, or stricter)"],
            ["migration:monitoring.performanceDegradation", "a fraction above 0, at most 0.15 (the seed's alert at a 15% drop, or stricter)"],
        ]);
    });

    it("holds the GCP spot target from phase 3 on", () => {
        const lowSpot = { "migration:h100": { minNodes: 2, maxNodes: 8, spotShare: 0.5 } };
        expect(() => parseStack("prod", { ...lowSpot, "migration:phase": "2" })).not.toThrow();
        const [problem] = configProblems(() => parseStack("prod", { ...lowSpot, ...phase3 }));
        expect(problem).toMatchObject({ key: "migration:h100.spotShare", value: "0.5" });
        expect(problem.accepted).toContain(`from ${costRules.gcp.spotInstanceTarget} to 1 from phase 3`);
    });

    it("carries a stricter threshold and a subset of channels into the deployed alerts", async () => {
        const graph = await runStack("prod", { ...phase3, "migration:monitoring": { gpuUtilizationFloor: 0.9, channels: ["ml-finops@example.com"] } });
        const channels = byType(graph, "gcp:monitoring/notificationChannel:NotificationChannel");
        const finops = channels.find((c) => (c.inputs.labels as { email_address: string }).email_address === "ml-finops@example.com")!;
        for (const p of byType(graph, "gcp:monitoring/alertPolicy:AlertPolicy")) expect(p.inputs.notificationChannels).toEqual([finops.id]);
        const gpu = byType(graph, "gcp:monitoring/alertPolicy:AlertPolicy").find((p) => p.name === "hybrid-monitoring-gpu-utilization")!;
        const queries = (gpu.inputs.conditions as { conditionPrometheusQueryLanguage: { query: string } }[]).map((c) => c.conditionPrometheusQueryLanguage.query);
        expect(queries[0]).toMatch(/< 90$/);
        expect(queries[1]).toMatch(/< 0\.9$/);
        const [destination] = byType(graph, "databricks:index/notificationDestination:NotificationDestination");
        expect(destination.inputs.config).toEqual({ email: { addresses: ["ml-finops@example.com"] } });
    });
});
