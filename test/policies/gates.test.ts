import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
    BenchmarkResultsError,
    decidePromotion,
    evaluateGates,
    gateNames,
    gateThresholds,
    parseBenchmarkResults,
} from "../../domain/gates";
import { successGates } from "../../domain/targets";
import { promotionGate } from "../../policies/gates/promotionGate";
import { gkeCluster } from "./fixtures";
import { runStackPolicy, stackRoot } from "./policyHarness";

/** Every metric exactly at its gate: the boundary passes. */
const atGate = Object.fromEntries(gateNames.map((g) => [g, successGates[g].ratio]));

describe("gate evaluation (domain/gates.ts)", () => {
    it("passes metrics at the gates and fails each one just past it", () => {
        expect(evaluateGates(atGate).passed).toBe(true);
        for (const gate of gateNames) {
            const worse = successGates[gate].op === ">=" ? successGates[gate].ratio - 0.01 : successGates[gate].ratio + 0.01;
            const evaluation = evaluateGates({ ...atGate, [gate]: worse });
            expect(evaluation.failed.map((f) => f.gate)).toEqual([gate]);
        }
    });

    it("reads raw measurements as ratios and reports missing metrics", () => {
        const evaluation = evaluateGates({ trainingThroughput: { databricks: 970, gcp: 1000 } });
        expect(evaluation.outcomes[0]).toMatchObject({ gate: "trainingThroughput", ratio: 0.97, passed: true });
        expect(evaluation.missing).toEqual(gateNames.filter((g) => g !== "trainingThroughput"));
    });

    it("never passes a metric on the wrong side of its gate (property)", () => {
        fc.assert(
            fc.property(fc.constantFrom(...gateNames), fc.double({ min: 0, max: 3, noNaN: true }), (gate, ratio) => {
                const { op, ratio: limit } = successGates[gate];
                const passed = evaluateGates({ ...atGate, [gate]: ratio }).passed;
                const r = Number(ratio.toFixed(6));
                expect(passed).toBe(op === ">=" ? r >= limit : r <= limit);
            }),
        );
    });

    it("refuses malformed results with every problem listed", () => {
        let error: unknown;
        try {
            parseBenchmarkResults({ phase: "one", metrics: { trainingThroughpt: 1, totalCost: -1 } }, "results.json");
        } catch (e) {
            error = e;
        }
        expect(error).toBeInstanceOf(BenchmarkResultsError);
        expect((error as BenchmarkResultsError).problems).toEqual([
            'phase = "one": expected the phase the benchmarks ran in, an integer from 0 to 3',
            "metrics.trainingThroughpt: no such metric; known metrics are trainingThroughput, convergenceTime, inferenceLatency, inferenceThroughput, totalCost, costPerTraining",
            "metrics.totalCost = -1: expected a ratio of the GCP baseline (≥ 0) or { databricks, gcp }",
        ]);
    });

    it("decides promotion by the phase of the results", () => {
        const results = { phase: 1, metrics: atGate };
        expect(decidePromotion({ stackPhase: 1 }).status).toBe("not-gated");
        expect(decidePromotion({ stackPhase: 2 })).toMatchObject({ status: "blocked", missing: gateNames });
        expect(decidePromotion({ stackPhase: 2, results }).status).toBe("allowed");
        expect(decidePromotion({ stackPhase: 3, results })).toMatchObject({ status: "blocked", reason: expect.stringContaining("needs those of phase 2") });
        // Only the phase being left counts: a later label, empty or failing, is refused.
        for (const later of [{ phase: 2, metrics: {} }, { phase: 3, metrics: { totalCost: 5 } }]) {
            expect(decidePromotion({ stackPhase: 2, results: later })).toMatchObject({ status: "blocked", reason: expect.stringContaining("phase 2 needs those of phase 1, the phase it leaves") });
        }
        expect(decidePromotion({ stackPhase: 2, results, thresholds: gateThresholds({ totalCost: 0.6 }) })).toMatchObject({
            status: "blocked",
            failed: [expect.objectContaining({ gate: "totalCost", limit: 0.6 })],
        });
    });
});

describe("promotion-gate", () => {
    const passing = { phase: 1, metrics: { ...atGate, totalCost: 0.62 } };

    it("is not applicable up to the first benchmarked phase", async () => {
        expect((await runStackPolicy(promotionGate, [stackRoot(1), gkeCluster()])).notApplicable).toContain("not past phase 1");
    });

    it("passes phase 2 with phase-1 results that meet every gate", async () => {
        expect((await runStackPolicy(promotionGate, [stackRoot(2)], { config: { results: passing } })).violations).toEqual([]);
    });

    it("blocks phase 2 without results, naming every missing metric", async () => {
        const [violation] = (await runStackPolicy(promotionGate, [stackRoot(2)])).violations;
        expect(violation.message).toContain("the stack at phase 2 (the stack output `phase`): the promotion gate's verdict is blocked (phase 2 needs the benchmark results of phase 1, and none were given");
        expect(violation.message).toContain(`missing: ${gateNames.join(", ")}`);
        expect(violation.message).toContain("Fix: run the benchmark suite of phase 1");
    });

    it("blocks on a failed gate, with the value and the gate", async () => {
        const results = { phase: 1, metrics: { ...atGate, inferenceLatency: 1.25 } };
        const [violation] = (await runStackPolicy(promotionGate, [stackRoot(2)], { config: { results } })).violations;
        expect(violation.message).toContain("inferenceLatency = 125% of GCP (gate: <= 110%, inference latency ≤ 110% of GCP)");
    });

    it("reads the results file, and reports a missing or invalid one", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-"));
        const file = path.join(dir, "results.json");
        fs.writeFileSync(file, JSON.stringify(passing));
        expect((await runStackPolicy(promotionGate, [stackRoot(2)], { config: { resultsFile: file } })).violations).toEqual([]);
        fs.writeFileSync(file, JSON.stringify({ phase: 1, metrics: { speed: 2 } }));
        const [invalid] = (await runStackPolicy(promotionGate, [stackRoot(2)], { config: { resultsFile: file } })).violations;
        expect(invalid.message).toContain("metrics.speed: no such metric");
        const [missing] = (await runStackPolicy(promotionGate, [stackRoot(2)], { config: { resultsFile: path.join(dir, "none.json") } })).violations;
        expect(missing.message).toContain("none.json does not exist");
    });

    it("blocks results of another phase than the one the stack left, empty or failing", async () => {
        for (const results of [{ phase: 2, metrics: {} }, { phase: 3, metrics: { ...atGate, totalCost: 0.99 } }, { phase: 0, metrics: atGate }]) {
            const [violation] = (await runStackPolicy(promotionGate, [stackRoot(2)], { config: { results } })).violations;
            expect(violation.message).toContain(`are of phase ${results.phase}; phase 2 needs those of phase 1, the phase it leaves`);
        }
    });

    it("refuses a results file that gives a metric twice, or a phase beyond the plan", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gate-"));
        const file = path.join(dir, "results.json");
        fs.writeFileSync(file, JSON.stringify(passing).replace('"metrics":{', '"metrics":{"totalCost":0.99,'));
        const [twice] = (await runStackPolicy(promotionGate, [stackRoot(2)], { config: { resultsFile: file } })).violations;
        expect(twice.message).toContain("metrics.totalCost: given more than once");
        fs.writeFileSync(file, JSON.stringify({ ...passing, phase: 99 }));
        const [beyond] = (await runStackPolicy(promotionGate, [stackRoot(2)], { config: { resultsFile: file } })).violations;
        expect(beyond.message).toContain("phase = 99: expected the phase the benchmarks ran in, an integer from 0 to 3");
    });

    it("takes tightened thresholds from config", async () => {
        const [violation] = (
            await runStackPolicy(promotionGate, [stackRoot(2)], { config: { results: passing, thresholds: { totalCost: 0.6 } } })
        ).violations;
        expect(violation.message).toContain("totalCost = 62% of GCP (gate: <= 60%, total cost ≤ 60% of GCP)");
    });
});
