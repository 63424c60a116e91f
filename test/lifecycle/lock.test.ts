import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { upError } from "../../tools/lifecycle/automationDriver";
import { StackBusyError, UpOptions } from "../../tools/lifecycle/driver";
import { acquireLock, LockHeldError, lockHolder } from "../../tools/lifecycle/lock";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

const now = new Date("2026-03-02T09:00:00Z");

describe("one change at a time per stack", () => {
    it("refuses a second run while the first one's up is running, without interleaving", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 2 });
        let release!: () => void;
        driver.upGate = new Promise((resolve) => (release = resolve));
        const first = cli(["rollback", ...base(dir)], fakeDeps(driver));
        // Let the first run reach its up (its command's code is loaded when it first runs).
        for (let waited = 0; driver.calls.length < 2 && waited < 10_000; waited += 20) await new Promise((resolve) => setTimeout(resolve, 20));
        expect(driver.calls.map((c) => c.op)).toEqual(["setConfig", "up"]);
        expect(lockHolder(dir)).toMatchObject({ pid: process.pid, command: "migration rollback" });

        for (const argv of [["rollback", ...base(dir), "--to", "0"], ["promote", ...base(dir), "--to", "3"], ["rollback", ...base(dir), "--gradual", "--abort"]]) {
            const second = await cli(argv, fakeDeps(driver));
            expect(second.code).toBe(1);
            expect(second.stderr).toMatch(/refused: the stack is locked by migration rollback \(pid \d+ on .*\)/);
        }
        expect(driver.calls.map((c) => c.op)).toEqual(["setConfig", "up"]);
        release();
        expect((await first).code).toBe(0);
        expect(lockHolder(dir)).toBeUndefined();
        // Once released, the next run goes ahead.
        expect((await cli(["rollback", ...base(dir), "--to", "0"], fakeDeps(driver))).code).toBe(0);
        expect(driver.config["migration:phase"]).toBe("0");
    });

    it("dry runs and status take no lock", async () => {
        const dir = tempDir();
        acquireLock(dir, { command: "other", now, isAlive: () => true });
        const driver = new FakeDriver("dev");
        expect((await cli(["status", ...base(dir)], fakeDeps(driver))).code).toBe(0);
    });

    it("replaces a stale lock: a dead process on this host, or an old lock from another host", () => {
        const dir = tempDir();
        acquireLock(dir, { command: "crashed", now, pid: 999_999, host: "here", isAlive: () => true });
        expect(() => acquireLock(dir, { command: "next", now, host: "here", isAlive: () => true })).toThrow(LockHeldError);
        const lock = acquireLock(dir, { command: "next", now, host: "here", isAlive: (pid) => pid !== 999_999 });
        lock.release();

        acquireLock(dir, { command: "ci job", now, host: "runner-7", isAlive: () => true });
        const soon = new Date(now.getTime() + 3600_000);
        expect(() => acquireLock(dir, { command: "next", now: soon, host: "here" })).toThrow(/locked by ci job \(pid \d+ on runner-7/);
        const late = new Date(now.getTime() + 7 * 3600_000);
        const taken = acquireLock(dir, { command: "next", now: late, host: "here" });
        expect(JSON.parse(fs.readFileSync(taken.file, "utf8"))).toMatchObject({ state: "held", command: "next", host: "here" });
        expect(lockHolder(dir)).toMatchObject({ command: "next" });
    });

    it("releases only its own lock", () => {
        const dir = tempDir();
        const mine = acquireLock(dir, { command: "mine", now, host: "a", isAlive: () => false });
        // Taken over as stale by another run (e.g. after a suspend): releasing must not free it.
        const theirs = acquireLock(dir, { command: "theirs", now: new Date(now.getTime() + 1000), host: "a", isAlive: () => false });
        mine.release();
        expect(lockHolder(dir)).toMatchObject({ command: "theirs" });
        theirs.release();
        expect(lockHolder(dir)).toBeUndefined();
    });

    it("takes a lock over in one step: a run that judged the same stale generation finds it taken", () => {
        const dir = tempDir();
        acquireLock(dir, { command: "crashed", now, pid: 999_999, host: "here", isAlive: () => true });
        const locks = path.join(dir, "locks");
        const stale = fs.readdirSync(locks).filter((f) => f.endsWith(".json"));
        // Two runs judged generation 1 stale; the first to create generation 2 holds the lock.
        const first = acquireLock(dir, { command: "first", now, host: "here", pid: 1, isAlive: (pid) => pid !== 999_999 });
        expect(() => acquireLock(dir, { command: "second", now, host: "here", pid: 2, isAlive: (pid) => pid !== 999_999 })).toThrow(/locked by first \(pid 1 on here/);
        expect(fs.readdirSync(locks).filter((f) => f.endsWith(".json"))).toEqual([...stale, "000000000002.json"]);
        first.release();
        // Old generations are cleaned up as the lock moves on; no temporary file is left.
        acquireLock(dir, { command: "third", now, host: "here", pid: 3, isAlive: () => true }).release();
        expect(fs.readdirSync(locks).sort()).toEqual(["000000000003.json", "000000000004.json", "000000000005.json"]);
    });
});

describe("another update of the stack, run outside this tool", () => {
    it("is Pulumi's ConcurrentUpdateError, read as a refusal naming the stack", () => {
        const { createCommandError } = require("@pulumi/pulumi/automation/errors");
        const { CommandResult } = require("@pulumi/pulumi/automation/cmd");
        for (const stderr of ["error: [409] Conflict: Another update is currently in progress.", "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`."]) {
            const err = createCommandError(new CommandResult("", `Updating (prod):\n${stderr}\n`, 255));
            expect(err.name).toBe("ConcurrentUpdateError");
            const refusal = upError(err, "prod");
            expect(refusal).toBeInstanceOf(StackBusyError);
            expect((refusal as Error).message).toContain(`another update of stack prod is in progress (Pulumi: ${stderr.trim()})`);
        }
        const other = new Error("boom");
        expect(upError(other, "prod")).toBe(other);
    });

    it("makes the command exit 1, naming the stack, with the stack file put back", async () => {
        class BusyDriver extends FakeDriver {
            override async up(options: UpOptions): Promise<never> {
                await super.up(options);
                throw new StackBusyError("dev", "error: [409] Conflict: Another update is currently in progress.");
            }
        }
        const dir = tempDir();
        const driver = new BusyDriver("dev", { "migration:phase": 2 });
        const run = await cli(["rollback", ...base(dir)], fakeDeps(driver));
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/^migration: refused: another update of stack dev is in progress \(Pulumi: error: \[409\] Conflict/);
        expect(driver.config["migration:phase"]).toBe("2");
    });
});
