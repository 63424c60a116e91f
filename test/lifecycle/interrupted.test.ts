/**
 * A run killed during `up`, then rerun: the rerun retries the same step, because the step is
 * read from the stack itself (its config names the step, its last completed update does not),
 * not from the tool's folder, which may be lost with the killed job. One kill is a real
 * SIGKILL of another process; the others stop a run inside `up` in this process.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { gateNames } from "../../domain/gates";
import { successGates } from "../../domain/targets";
import { lockHolder } from "../../tools/lifecycle/lock";
import { readHistory, unfinishedStep } from "../../tools/lifecycle/state";
import { base, changes, cli, fakeDeps, FakeDriver, FileDriver, tempDir } from "./fakeDriver";
import { Worker } from "./workers";

/** Starts `argv` and leaves it inside `up` for good, as a killed process (whose lock is then stale). */
async function killedDuringUp(driver: FakeDriver, argv: string[]): Promise<void> {
    driver.upGate = new Promise(() => undefined);
    void cli(argv, { ...fakeDeps(driver), lock: { pid: 999_999, isAlive: (pid) => pid !== 999_999 } });
    // Up to 10 s: the command's code is loaded when it first runs.
    for (let i = 0; i < 1000 && !driver.calls.some((c) => c.op === "up"); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(driver.calls.some((c) => c.op === "up")).toBe(true);
    driver.upGate = undefined;
}

function results(dir: string): string {
    const file = path.join(dir, "results.json");
    fs.writeFileSync(file, JSON.stringify({ phase: 1, metrics: Object.fromEntries(gateNames.map((g) => [g, successGates[g].ratio])) }));
    return file;
}

describe("a run killed during up, rerun", () => {
    let worker: Worker | undefined;
    afterAll(() => worker?.process.kill());

    it("a real kill of an immediate recovery: the rerun retries 3 → 2, not 2 → 1, even with the state folder lost", async () => {
        const dir = tempDir();
        const stackFile = path.join(tempDir(), "stack.json");
        new FileDriver(stackFile, "dev", { "migration:phase": 3 });
        worker = new Worker();
        expect((await worker.next()).kind).toBe("ready");
        worker.send({ kind: "run", argv: ["rollback", ...base(dir)], startAt: Date.now(), stackFile, overrides: {} });
        expect((await worker.next()).kind).toBe("up");
        expect(unfinishedStep(readHistory(dir))).toMatchObject({ kind: "rollback", fromPhase: 3, toPhase: 2, result: "started" });
        worker.process.kill("SIGKILL");
        await new Promise((resolve) => worker!.process.once("exit", resolve));
        // The stack as the kill left it: the config names phase 2, the last completed update ran at 3.
        const stack = new FileDriver(stackFile);
        expect(stack.config["migration:phase"]).toBe("2");
        expect(stack.outputValues.phase).toBe(3);
        expect(lockHolder(dir)).toMatchObject({ pid: worker.process.pid });
        fs.rmSync(dir, { recursive: true, force: true });

        const rerun = await cli(["rollback", ...base(dir)], fakeDeps(stack));
        expect(rerun.stderr).toBe("");
        expect(rerun.code).toBe(0);
        expect(rerun.stdout).toContain("rollback dev: phase 3 → 2");
        expect(rerun.stdout).toContain("this finishes that step");
        expect(stack.config["migration:phase"]).toBe("2");
        expect(stack.outputValues.phase).toBe(2);
        // Run again, it is an ordinary next step: 2 → 1.
        expect((await cli(["rollback", ...base(dir)], fakeDeps(stack))).stdout).toContain("phase 2 → 1");
    }, 120_000);

    it("a promotion: the rerun retries 1 → 2 with the gate, instead of refusing as already at 2", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 1 });
        const argv = ["promote", ...base(dir), "--to", "2", "--results", results(dir)];
        await killedDuringUp(driver, argv);
        expect(driver.config["migration:phase"]).toBe("2");
        const rerun = await cli(argv, fakeDeps(driver));
        expect(rerun.stderr).toBe("");
        expect(rerun.code).toBe(0);
        expect(rerun.stdout).toContain("retrying the promotion that did not complete");
        expect(rerun.stdout).toContain("gate: allowed");
        expect(driver.outputValues.phase).toBe(2);
        expect(readHistory(dir).map((h) => [h.kind, h.result])).toEqual([
            ["promote", "started"],
            ["promote", "started"],
            ["promote", "succeeded"],
        ]);
    });

    it("an abandoned promotion: a rollback goes back to the phase that last deployed, and a further promotion is refused", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 1 });
        await killedDuringUp(driver, ["promote", ...base(dir), "--to", "2", "--results", results(dir)]);
        const further = await cli(["promote", ...base(dir), "--to", "3"], fakeDeps(driver));
        expect(further.code).toBe(1);
        expect(further.stderr).toMatch(/config says phase 2 but its last completed update ran at phase 1: a step was interrupted/);
        const back = await cli(["rollback", ...base(dir)], fakeDeps(driver));
        expect(back.code).toBe(0);
        expect(back.stdout).toContain("rollback dev: phase 2 → 1");
        expect(changes(driver.calls).slice(-1)).toEqual(["migration:phase=1"]);
        expect(driver.outputValues.phase).toBe(1);
    });

    it("a gradual stage: the rerun applies the same stage's share again, never the next one", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 3, "migration:workload": { databricksShare: 0.6 } });
        await killedDuringUp(driver, ["rollback", ...base(dir), "--gradual"]);
        fs.rmSync(dir, { recursive: true, force: true });
        const rerun = await cli(["rollback", ...base(dir), "--gradual"], fakeDeps(driver));
        expect(rerun.code).toBe(0);
        expect(rerun.stdout).toContain("stage 1 of 3 (resumed): Databricks share 0.6 → 0.45");
        expect(changes(driver.calls)).toEqual(["migration:workload.databricksShare=0.45", "migration:workload.databricksShare=0.45"]);
        expect(driver.gradual).toMatchObject({ stage: 1, stageAppliedAt: expect.any(String) });
    });
});
