import { describe, expect, it } from "vitest";
import { monitoringPolicies, seedAlertThresholds } from "../../domain/alertRules";
import { customMetrics, dcgmGpuUtilization, metricType, promqlName } from "../../domain/customMetrics";
import { costRules, performanceDegradationAlert } from "../../domain/targets";

const trailing = (query: string) => /(<|>)\s*([\d.]+)$/.exec(query)!.slice(1);

describe("custom metrics", () => {
    it("names Cloud Monitoring metric types in PromQL as Cloud Monitoring does", () => {
        expect(promqlName("custom.googleapis.com/ml/daily_cost")).toBe("custom_googleapis_com:ml_daily_cost");
        expect(promqlName("kubernetes.io/container/cpu/limit_cores")).toBe("kubernetes_io:container_cpu_limit_cores");
        expect(() => promqlName("nodomain")).toThrow(RangeError);
    });

    it("declares the seed's four metrics, their baselines and the daily cost, with valid label keys", () => {
        const names = customMetrics.map((m) => m.name);
        expect(new Set(names).size).toBe(names.length);
        for (const seedMetric of ["gpu_utilization", "training_throughput", "inference_latency", "cost_per_training_hour"]) expect(names).toContain(seedMetric);
        for (const performance of ["training_throughput", "inference_latency", "cost_per_training_hour"]) expect(names).toContain(`${performance}_baseline`);
        for (const m of customMetrics) {
            expect(metricType(m.name)).toMatch(/^custom\.googleapis\.com\/ml\/[a-z_]+$/);
            for (const label of m.labels) expect(label.key).toMatch(/^[a-z][a-z0-9_]{0,99}$/);
        }
        expect(dcgmGpuUtilization.type).toBe("prometheus.googleapis.com/DCGM_FI_DEV_GPU_UTIL/gauge");
    });
});

describe("monitoringPolicies", () => {
    const policies = monitoringPolicies(seedAlertThresholds, "ml-gke");

    it("defaults to the seed's thresholds", () => {
        expect(seedAlertThresholds).toEqual({
            gpuUtilizationFloor: costRules.gcp.minGpuUtilization,
            dbuUtilizationFloor: costRules.databricks.minDbuUtilization,
            performanceDegradation: performanceDegradationAlert,
            dailyCostUsd: costRules.dailyCostAlertUsd,
        });
    });

    it("ends every PromQL condition in the comparison and threshold it declares", () => {
        const conditions = policies.flatMap((p) => p.conditions);
        expect(conditions).toHaveLength(6);
        for (const c of conditions) expect(trailing(c.query)).toEqual([c.comparison, String(c.threshold)]);
        expect(conditions.map((c) => c.threshold)).toEqual([85, 0.85, 0.85, 1.15, 1.15, 1000]);
    });

    it("follows stricter thresholds", () => {
        const strict = monitoringPolicies({ ...seedAlertThresholds, gpuUtilizationFloor: 0.9, performanceDegradation: 0.1, dailyCostUsd: 800 }, "ml-gke");
        expect(strict.flatMap((p) => p.conditions).map((c) => c.threshold)).toEqual([90, 0.9, 0.9, 1.1, 1.1, 800]);
    });

    it("reads DCGM for the named GKE cluster only, without validating a metric that appears with the first GPU node", () => {
        const [gke] = policies[0].conditions;
        expect(gke.query).toBe('avg(avg_over_time(DCGM_FI_DEV_GPU_UTIL{cluster="ml-gke"}[1h])) < 85');
        expect(gke.disableMetricValidation).toBe(true);
        expect(policies.flatMap((p) => p.conditions).filter((c) => c.disableMetricValidation)).toEqual([gke]);
    });

    it("compares each performance metric with its own recorded baseline", () => {
        const degradation = policies.find((p) => p.key === "performance-degradation")!.conditions;
        expect(degradation[0].query).toBe(
            "avg by (platform, model) (avg_over_time(custom_googleapis_com:ml_training_throughput[1h])) " +
                "/ on (model) group_left max by (model) (last_over_time(custom_googleapis_com:ml_training_throughput_baseline[30d])) < 0.85",
        );
        expect(degradation[1].query).toContain("ml_inference_latency[1h])) / on (model) group_left max by (model) (last_over_time(custom_googleapis_com:ml_inference_latency_baseline[30d])) > 1.15");
    });
});
