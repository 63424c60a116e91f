import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { gateNames, gateThresholds } from "../../domain/gates";
import { lockHolder } from "../../tools/lifecycle/lock";
import { readHistory } from "../../tools/lifecycle/state";
import { projectDir } from "../harness";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

const limits = gateThresholds();

function writeResults(dir: string, phase: number, metrics: Record<string, unknown>, name = "results.json"): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, JSON.stringify({ phase, metrics }));
    return file;
}

function atLimits(): Record<string, number> {
    return Object.fromEntries(gateNames.map((g) => [g, limits[g].ratio]));
}

/** A ratio `delta` beyond the gate's limit in the failing (+1) or passing (-1) direction. */
function nudged(gate: (typeof gateNames)[number], direction: 1 | -1, delta = 0.001): number {
    const { op, ratio } = limits[gate];
    return Number((op === ">=" ? ratio - direction * delta : ratio + direction * delta).toFixed(6));
}

describe("up's policy config", () => {
    it("carries the cost-ratio inputs of the phase being deployed, beside the gate's results", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 1 });
        const asked: number[] = [];
        const deps = {
            ...fakeDeps(driver),
            costRatioConfig: async (_: unknown, phase: number) => {
                asked.push(phase);
                return { "cost-ratio-targets": { phase, baseline: { monthlyUsd: 100, perTrainingUsd: 1 } } };
            },
        };
        const run = await cli(["promote", ...base(dir), "--to", "2", "--results", writeResults(dir, 1, atLimits())], deps);
        expect(run.code).toBe(0);
        // Asked for the phase the stack is set to before up, not the one it left.
        expect(asked).toEqual([2]);
        const up = driver.calls[1] as Extract<(typeof driver.calls)[number], { op: "up" }>;
        expect(up.policyConfig[0]).toMatchObject({
            "cost-ratio-targets": { phase: 2, baseline: { monthlyUsd: 100 } },
            "promotion-gate": { results: { phase: 1 } },
        });
    });
});

describe("promote: the gate for leaving the current phase", () => {
    it("passes with every metric exactly at its threshold, and sets the phase then runs up with the pack and the results", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 1 });
        const results = writeResults(dir, 1, atLimits());
        const run = await cli(["promote", ...base(dir), "--to", "2", "--results", results], fakeDeps(driver));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toContain("gate: allowed");
        expect(driver.calls.map((c) => c.op)).toEqual(["setConfig", "up"]);
        expect(driver.calls[0]).toMatchObject({ values: { "migration:phase": "2" } });
        const up = driver.calls[1] as Extract<(typeof driver.calls)[number], { op: "up" }>;
        expect(up.options.policyPacks).toEqual([path.join(projectDir, "policies")]);
        expect(up.options.message).toBe("migration promote: phase 1 → 2 (allowed)");
        expect(up.policyConfig[0]).toMatchObject({ "promotion-gate": { results: { phase: 1, metrics: atLimits() } } });
        // The intent before up, the outcome after, tied by the step.
        const [intent, entry] = readHistory(dir);
        expect(intent).toMatchObject({ kind: "promote", fromPhase: 1, toPhase: 2, result: "started" });
        expect(entry).toMatchObject({ kind: "promote", fromPhase: 1, toPhase: 2, who: "test-user <test@example.com>", result: "succeeded", gate: { status: "allowed" }, step: intent.step });
        expect(entry.gate!.outcomes).toHaveLength(gateNames.length);
    });

    describe.each(gateNames)("%s", (gate) => {
        it.each([
            ["just inside", -1, 0],
            ["just outside", 1, 1],
            ["well outside", 1, 1],
        ] as const)("%s the threshold", async (label, direction, expected) => {
            const dir = tempDir();
            const driver = new FakeDriver("dev", { "migration:phase": 2 });
            const delta = label === "well outside" ? 0.1 : 0.001;
            const results = writeResults(dir, 2, { ...atLimits(), [gate]: nudged(gate, direction, delta) });
            const run = await cli(["promote", ...base(dir), "--to", "3", "--results", results], fakeDeps(driver));
            expect(run.code).toBe(expected);
            if (expected === 1) {
                expect(run.stdout).toMatch(new RegExp(`✗ ${gate} = `));
                expect(run.stderr).toContain("promotion to phase 3 refused");
                expect(driver.calls).toEqual([]);
                expect(readHistory(dir)).toEqual([]);
            } else {
                expect(driver.config["migration:phase"]).toBe("3");
            }
        });
    });

    it("accepts { databricks, gcp } measurements and CSV files", async () => {
        const dir = tempDir();
        const csv = path.join(dir, "results.csv");
        fs.writeFileSync(csv, ["metric,databricks,gcp", ...gateNames.map((g) => `${g},${limits[g].ratio * 200},200`), "phase,1"].join("\n"));
        const driver = new FakeDriver("dev", { "migration:phase": 1 });
        expect((await cli(["promote", ...base(dir), "--to", "2", "--results", csv], fakeDeps(driver))).code).toBe(0);

        const failing = path.join(dir, "failing.csv");
        fs.writeFileSync(failing, ["metric,value", ...gateNames.map((g) => `${g},${g === "totalCost" ? 0.71 : limits[g].ratio}`)].join("\n"));
        const other = new FakeDriver("dev", { "migration:phase": 1 });
        const run = await cli(["promote", ...base(tempDir()), "--to", "2", "--results", failing], fakeDeps(other));
        expect(run.code).toBe(1);
        expect(run.stdout).toContain("✗ totalCost = 71% of GCP");
    });

    it("blocks a missing metric, missing results, and results of any phase but the one being left", async () => {
        const dir = tempDir();
        const partial = { ...atLimits() } as Record<string, number>;
        delete partial.inferenceLatency;
        const failing = Object.fromEntries(gateNames.map((g) => [g, nudged(g, 1, 0.2)]));
        const cases: [string[], RegExp][] = [
            [["--results", writeResults(dir, 1, partial)], /missing: inferenceLatency/],
            [[], /phase 2 needs the benchmark results of phase 1, and none were given/],
            [["--results", writeResults(dir, 0, atLimits(), "old.json")], /are of phase 0; phase 2 needs those of phase 1, the phase it leaves/],
            // A later phase's label, with no metrics or failing ones, does not pass for phase 1's.
            [["--results", writeResults(dir, 2, {}, "empty-later.json")], /are of phase 2; phase 2 needs those of phase 1/],
            [["--results", writeResults(dir, 3, failing, "failing-later.json")], /are of phase 3; phase 2 needs those of phase 1/],
        ];
        for (const [extra, message] of cases) {
            const driver = new FakeDriver("dev", { "migration:phase": 1 });
            const run = await cli(["promote", ...base(dir), "--to", "2", ...extra], fakeDeps(driver));
            expect(run.code, extra.join(" ")).toBe(1);
            expect(run.stdout + run.stderr).toMatch(message);
            expect(driver.calls).toEqual([]);
        }
    });

    it("refuses results that repeat a metric or write a number loosely, naming the file and the line", async () => {
        const dir = tempDir();
        const rows = gateNames.map((g) => `${g},${limits[g].ratio}`);
        const passingJson = JSON.stringify({ phase: 1, metrics: atLimits() });
        const cases: [string, string, RegExp][] = [
            ["twice.csv", ["metric,value", ...rows, "totalCost,0.99"].join("\n"), /twice\.csv: line 8 gives totalCost again; give each metric once/],
            ["hex.csv", ["metric,value", ...rows.slice(1), `${gateNames[0]},0x1`].join("\n"), /hex\.csv: line 7 has "0x1" for trainingThroughput; expected a decimal number/],
            ["phases.csv", ["metric,value", "phase,1", ...rows, "phase,1"].join("\n"), /phases\.csv: line 9 gives the phase again/],
            ["phase99.csv", ["metric,value", "phase,99", ...rows].join("\n"), /phase = 99: expected the phase the benchmarks ran in, an integer from 0 to 3/],
            // JSON.parse would take the last of two keys; the results are refused instead.
            ["twice.json", passingJson.replace('"metrics":{', '"metrics":{"totalCost":0.99,'), /metrics\.totalCost: given more than once/],
        ];
        for (const [name, content, message] of cases) {
            const file = path.join(dir, name);
            fs.writeFileSync(file, content);
            const driver = new FakeDriver("dev", { "migration:phase": 1 });
            const run = await cli(["promote", ...base(dir), "--to", "2", "--results", file], fakeDeps(driver));
            expect(run.code, name).toBe(2);
            expect(run.stderr).toMatch(message);
            expect(driver.calls).toEqual([]);
        }
    });

    it("does not gate phase 0 → 1: there is no Databricks to benchmark yet", async () => {
        const driver = new FakeDriver("dev");
        const run = await cli(["promote", ...base(tempDir()), "--to", "1"], fakeDeps(driver));
        expect(run.code).toBe(0);
        expect(run.stdout).toContain("gate: not-gated");
        expect(driver.config["migration:phase"]).toBe("1");
    });
});

describe("promote: refusals", () => {
    it.each([
        [0, 2, /phases are not skipped, promote to 1 first/],
        [1, 3, /phases are not skipped, promote to 2 first/],
        [2, 1, /promote only moves up.*use migration rollback/],
        [2, 2, /promote only moves up \(to 3\)/],
    ])("at phase %i, --to %i", async (from, to, message) => {
        const driver = new FakeDriver("dev", { "migration:phase": from });
        const run = await cli(["promote", ...base(tempDir()), "--to", String(to)], fakeDeps(driver));
        expect(run.code).toBe(2);
        expect(run.stderr).toMatch(message);
        expect(driver.calls).toEqual([]);
    });

    it("puts the phase back and records the failure when up fails", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev");
        driver.failAtCall = 2;
        const run = await cli(["promote", ...base(dir), "--to", "1"], fakeDeps(driver));
        expect(run.code).toBe(2);
        expect(run.stderr).toContain("up failed: injected failure");
        expect(driver.config["migration:phase"]).toBe("0");
        expect(readHistory(dir)).toMatchObject([
            { kind: "promote", fromPhase: 0, toPhase: 1, result: "started" },
            { kind: "promote", fromPhase: 0, toPhase: 1, result: "up failed: injected failure" },
        ]);
        expect(lockHolder(dir)).toBeUndefined();
    });
});
