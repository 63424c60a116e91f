import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { gradualRollbackStages } from "../../domain/targets";
import { dayMs, stageShare } from "../../tools/lifecycle/schedule";
import { readHistory } from "../../tools/lifecycle/state";
import { base, Call, changes, cli, Clock, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

const t0 = new Date("2026-03-02T09:00:00Z");
const at = (days: number, hours = 0) => new Date(t0.getTime() + days * dayMs + hours * 3600_000);

function setup(share = 0.6) {
    const dir = tempDir();
    const driver = new FakeDriver("dev", { "migration:phase": 3, "migration:workload": { databricksShare: share } });
    const clock: Clock = { now: t0 };
    const run = (...extra: string[]) => cli(["rollback", ...base(dir), "--gradual", ...extra], fakeDeps(driver, clock));
    return { dir, driver, clock, run };
}

const succeeded = (dir: string) => readHistory(dir).filter((h) => h.result === "succeeded");

describe("gradual rollback: the seed's stages", () => {
    it("derives the shares from the stage shifts (25%, 50%, 25% of the phase-3 share)", () => {
        expect(gradualRollbackStages.map((s) => s.workloadShift)).toEqual([0.25, 0.5, 0.25]);
        expect([1, 2, 3].map((s) => stageShare(0.6, s))).toEqual([0.45, 0.15, 0]);
        expect([1, 2, 3].map((s) => stageShare(0.8, s))).toEqual([0.6, 0.2, 0]);
        expect([1, 2, 3].map((s) => stageShare(1, s))).toEqual([0.75, 0.25, 0]);
    });

    it("applies each stage only once the previous one's duration has passed, then lowers the phase", async () => {
        const { dir, driver, clock, run } = setup();
        const timeline: [Date, string[], RegExp][] = [
            [at(0), ["migration:workload.databricksShare=0.45"], /stage 1 of 3 applied .*next: stage 2 of 3 \(share 0.45 → 0.15\) at 2026-03-03T09:00:00.000Z/],
            [at(0, 23.9), [], /stage 1 of 3 applied/],
            [at(1), ["migration:workload.databricksShare=0.15"], /next: stage 3 of 3 \(share 0.15 → 0\) at 2026-03-05T09:00:00.000Z/],
            [at(2), [], /stage 2 of 3 applied/],
            [at(2, 23.9), [], /next: stage 3 of 3/],
            [at(3), ["migration:workload.databricksShare=0"], /next: phase 3 → 0 \(the GCP setup\) at 2026-03-06T09:00:00.000Z/],
            [at(3, 12), [], /stage 3 of 3 applied/],
            [at(4), ["migration:phase=0"], /gradual rollback complete: all 3 stages applied, back on the GCP setup \(phase 0\)/],
            [at(9), [], /gradual rollback complete/],
        ];
        for (const [now, expected, message] of timeline) {
            clock.now = now;
            const before = driver.calls.length;
            const result = await run();
            expect(result.stderr).toBe("");
            expect(result.code).toBe(0);
            expect(changes(driver.calls.slice(before)), now.toISOString()).toEqual(expected);
            expect(driver.calls.slice(before).filter((c) => c.op === "up")).toHaveLength(expected.length);
            expect(result.stdout).toMatch(message);
        }
        expect(driver.config["migration:phase"]).toBe("0");
        const ups = driver.calls.filter((c): c is Extract<Call, { op: "up" }> => c.op === "up");
        // Recovery must not wait on metrics: the pack's gate is advisory in every rollback step;
        // the stack's own policy config (dev: cost ratios advisory) reaches the pack as well.
        for (const up of ups) expect(up.policyConfig[0]).toEqual({ "cost-ratio-targets": "advisory", "promotion-gate": { enforcementLevel: "advisory" } });
        // Each step's intent is recorded before its up, its outcome after.
        expect(readHistory(dir).map((h) => h.result)).toEqual(["started", "succeeded", "started", "succeeded", "started", "succeeded", "started", "succeeded"]);
        expect(succeeded(dir).map((h) => [h.kind, h.stage ?? null, h.toShare ?? null, h.toPhase, h.at])).toEqual([
            ["gradual-stage", 1, 0.45, 3, at(0).toISOString()],
            ["gradual-stage", 2, 0.15, 3, at(1).toISOString()],
            ["gradual-stage", 3, 0, 3, at(3).toISOString()],
            ["gradual-complete", null, null, 0, at(4).toISOString()],
        ]);
    });

    it("runs late without catching up: a late stage moves the next one's due time", async () => {
        const { driver, clock, run } = setup();
        await run();
        clock.now = at(5);
        expect((await run()).stdout).toMatch(/next: stage 3 of 3 \(share 0.15 → 0\) at 2026-03-09T09:00:00.000Z/);
        expect(changes(driver.calls)).toEqual(["migration:workload.databricksShare=0.45", "migration:workload.databricksShare=0.15"]);
    });

    it("is only valid at phase 3", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 2 });
        const result = await cli(["rollback", ...base(dir), "--gradual"], fakeDeps(driver));
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/the stack is at phase 2; use migration rollback \(immediate\)/);
        expect(driver.calls).toEqual([]);
    });
});

describe("gradual rollback: interruptions", () => {
    // Every config write and up of the whole rollback (each step: its intent, up, its record), failed one at a time, then rerun at the same moment.
    const totalCalls = 12;
    it.each(Array.from({ length: totalCalls }, (_, i) => i + 1))("resumes after a failure at call %i without repeating or skipping a stage", async (n) => {
        const { dir, driver, clock, run } = setup();
        driver.failAtCall = n;
        for (const days of [0, 1, 3, 4]) {
            clock.now = at(days);
            let result = await run();
            if (result.code !== 0) {
                expect(result.code).toBe(2);
                expect(result.stderr).toContain("injected failure");
                result = await run();
            }
            expect(result.code).toBe(0);
        }
        // Each step succeeded exactly once, in order, at its due time, whatever failed.
        expect(succeeded(dir).map((h) => [h.kind, h.stage ?? null, h.toShare ?? null, h.at])).toEqual([
            ["gradual-stage", 1, 0.45, at(0).toISOString()],
            ["gradual-stage", 2, 0.15, at(1).toISOString()],
            ["gradual-stage", 3, 0, at(3).toISOString()],
            ["gradual-complete", null, null, at(4).toISOString()],
        ]);
        expect(readHistory(dir).filter((h) => h.result !== "succeeded" && h.result !== "started").length).toBeLessThanOrEqual(1);
        // Shares only ever move down the schedule (a failed step puts the previous share back).
        const shares = changes(driver.calls)
            .filter((c) => c.startsWith("migration:workload"))
            .map((c) => Number(c.split("=")[1]));
        for (const s of shares) expect([0.6, 0.45, 0.15, 0]).toContain(s);
        expect(driver.share).toBe(0);
        expect(driver.config["migration:phase"]).toBe("0");
        expect(driver.gradual).toMatchObject({ status: "complete", stage: 3 });
    });

    it("reapplies an interrupted stage's share, counts its duration from when it succeeded, and never applies a later one early", async () => {
        const { dir, driver, clock, run } = setup();
        await run();
        // Killed during stage 2's up: the stack's config names the stage, its record says started, not applied.
        clock.now = at(1);
        driver.upGate = new Promise(() => undefined);
        void cli(["rollback", ...base(dir), "--gradual"], { ...fakeDeps(driver, clock), lock: { pid: 999_999, isAlive: (pid) => pid !== 999_999 } });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(driver.gradual).toMatchObject({ stage: 2, stageStartedAt: at(1).toISOString() });
        expect(driver.gradual!.stageAppliedAt).toBeUndefined();
        expect(driver.share).toBe(0.15);
        driver.upGate = undefined;
        clock.now = at(1, 6);
        const before = driver.calls.length;
        const result = await run();
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("stage 2 of 3 (resumed): Databricks share 0.45 → 0.15");
        expect(changes(driver.calls.slice(before))).toEqual(["migration:workload.databricksShare=0.15"]);
        expect(result.stdout).toMatch(/next: stage 3 of 3 \(share 0.15 → 0\) at 2026-03-05T15:00:00.000Z/);
        expect(driver.gradual).toMatchObject({ stage: 2, stageAppliedAt: at(1, 6).toISOString() });
        // The history shows the interrupted intent, then the retry's intent and outcome.
        expect(readHistory(dir).filter((h) => h.stage === 2).map((h) => h.result)).toEqual(["started", "started", "succeeded"]);
    });

    it("resumes an interrupted return to the GCP setup", async () => {
        const { driver, clock, run } = setup();
        for (const days of [0, 1, 3]) {
            clock.now = at(days);
            await run();
        }
        // The return started (its intent written) and its up was cut off.
        driver.config["migration:gradualRollback"] = JSON.stringify({ ...driver.gradual, returnStartedAt: at(4).toISOString() });
        driver.config["migration:phase"] = "0";
        clock.now = at(4, 1);
        const result = await run();
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("phase 3 → 0, the GCP setup (resumed)");
        expect(result.stdout).toMatch(/gradual rollback complete/);
        expect(driver.gradual).toMatchObject({ status: "complete", returnAppliedAt: at(4, 1).toISOString() });
    });
});

describe("gradual rollback: the stack holds the progress, not the tool's folder", () => {
    it("goes on from the stack's record when the state folder is deleted or its history cut short", async () => {
        const { dir, driver, clock, run } = setup();
        await run();
        fs.rmSync(dir, { recursive: true, force: true });
        // Not due yet: no stage is taken early, and no new rollback starts from share 0.45.
        clock.now = at(0, 12);
        let result = await run();
        expect(result.code).toBe(0);
        expect(result.stdout).toMatch(/stage 1 of 3 applied .*next: stage 2 of 3 \(share 0.45 → 0.15\) at 2026-03-03T09:00:00.000Z/);
        expect(changes(driver.calls)).toEqual(["migration:workload.databricksShare=0.45"]);
        // Due: stage 2, exactly as if nothing had been lost.
        clock.now = at(1);
        result = await run();
        expect(changes(driver.calls)).toEqual(["migration:workload.databricksShare=0.45", "migration:workload.databricksShare=0.15"]);
        // A history cut mid-line: the next entry still lands on a line of its own, and status names the bad line.
        const history = path.join(dir, "history.jsonl");
        fs.writeFileSync(history, fs.readFileSync(history, "utf8").slice(0, -20));
        clock.now = at(3);
        expect((await run()).code).toBe(0);
        expect(driver.share).toBe(0);
        const status = await cli(["status", ...base(dir)], fakeDeps(driver, clock));
        expect(status.code).toBe(2);
        expect(status.stderr).toMatch(/history\.jsonl: line 2 is not JSON .*cut short.*Restore the file .* or delete that line/);
        expect(status.stdout).toMatch(/gradual rollback: stage 3 of 3 applied/);
    });

    it("refuses, rather than guesses, when the stack's share disagrees with the record", async () => {
        const { driver, clock, run } = setup();
        await run();
        // Someone set the share by hand after stage 1.
        driver.config["migration:workload"] = JSON.stringify({ databricksShare: 0.3 });
        clock.now = at(1);
        const result = await run();
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/does not match the stack: its config's Databricks share is 0.3, where 0.45 was expected/);
        expect(driver.calls.filter((c) => c.op === "up")).toHaveLength(1);
    });

    it("refuses a record that is not one, naming the key and how to repair it", async () => {
        const { driver, run } = setup();
        driver.config["migration:gradualRollback"] = JSON.stringify({ status: "in-progress", startShare: "NaN", stage: 1, startedAt: "yesterday" });
        const result = await run();
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/migration:gradualRollback = .*: not a gradual rollback record \(startedAt: a UTC time such as .*\)\. .*pulumi config rm migration:gradualRollback/);
        expect(driver.calls).toEqual([]);
        // It does not hold an immediate recovery back.
        const recovery = await cli(["rollback", ...base(tempDir()), "--to", "0"], fakeDeps(driver));
        expect(recovery.code).toBe(0);
        expect(recovery.stderr).toMatch(/warning: migration:gradualRollback = /);
        expect(driver.config["migration:phase"]).toBe("0");
    });
});

describe("gradual rollback: --abort", () => {
    it("stops where it is and holds on every later run", async () => {
        const { dir, driver, clock, run } = setup();
        await run();
        clock.now = at(0, 2);
        const aborted = await run("--abort");
        expect(aborted.code).toBe(0);
        expect(aborted.stdout).toMatch(/gradual rollback aborted at 2026-03-02T11:00:00.000Z: stage 1 of 3 applied/);
        const calls = driver.calls.filter((c) => c.op === "up").length;
        for (const days of [1, 3, 4, 30]) {
            clock.now = at(days);
            const later = await run();
            expect(later.code).toBe(1);
            expect(later.stderr).toMatch(/refused: gradual rollback aborted/);
        }
        expect(driver.calls.filter((c) => c.op === "up").length).toBe(calls);
        expect(driver.share).toBe(0.45);
        expect(driver.config["migration:phase"]).toBe("3");
        expect((await run("--abort")).code).toBe(0);
        expect(succeeded(dir).map((h) => h.kind)).toEqual(["gradual-stage", "gradual-abort"]);
        // The abort is in the stack: losing the state folder does not resume the rollback.
        fs.rmSync(dir, { recursive: true, force: true });
        expect((await run()).code).toBe(1);
    });

    it("has nothing to abort when no rollback is under way", async () => {
        const { run } = setup();
        const result = await run("--abort");
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("no gradual rollback of dev to abort");
    });

    it("is superseded by an immediate recovery once that recovery's up succeeded", async () => {
        const { dir, driver, clock, run } = setup();
        await run();
        // A failed recovery leaves the gradual rollback as it was: the stack is still at phase 3.
        driver.failAtCall = driver.calls.length + 2;
        const failed = await cli(["rollback", ...base(dir), "--to", "0"], fakeDeps(driver, clock));
        expect(failed.code).toBe(2);
        expect(driver.config["migration:phase"]).toBe("3");
        expect(driver.gradual).toMatchObject({ status: "in-progress" });
        const recovery = await cli(["rollback", ...base(dir), "--to", "0"], fakeDeps(driver, clock));
        expect(recovery.code).toBe(0);
        expect(driver.gradual).toMatchObject({ status: "aborted" });
        expect(driver.config["migration:phase"]).toBe("0");
        clock.now = at(1);
        expect((await run()).code).toBe(1);
    });
});

describe("gradual rollback: status", () => {
    it("shows the phase, share, stage and history", async () => {
        const { dir, driver, clock, run } = setup();
        await run();
        const status = await cli(["status", ...base(dir)], fakeDeps(driver, clock));
        expect(status.stderr).toBe("");
        expect(status.code).toBe(0);
        expect(status.stdout).toMatch(/phase: 3 \(Hybrid operation\)/);
        expect(status.stdout).toMatch(/last completed update ran at phase: 3\n/);
        expect(status.stdout).toMatch(/data phase: 3/);
        expect(status.stdout).toMatch(/gradual rollback: stage 1 of 3 applied .*next: stage 2 of 3 \(share 0.45 → 0.15\) at 2026-03-03T09:00:00.000Z/);
        expect(status.stdout).toMatch(/lock: free/);
        expect(status.stdout).toMatch(/history \(2\):\n {2}2026-03-02T09:00:00.000Z {2}gradual-stage stage 1 {2}phase 3 → 3 share 0.6 → 0.45 {2}started {2}by test-user.*\n {2}2026-03-02T09:00:00.000Z {2}gradual-stage stage 1 .* succeeded/);
        const json = JSON.parse((await cli(["status", ...base(dir), "--format", "json"], fakeDeps(driver, clock))).stdout);
        expect(json).toMatchObject({ stack: "dev", phase: 3, deployedPhase: 3, dataPhase: 3, gradualRollback: { status: "in-progress", startShare: 0.6 } });
        expect(fs.existsSync(path.join(dir, "history.jsonl"))).toBe(true);
    });
});
