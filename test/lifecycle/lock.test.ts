import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireLock, LockHeldError } from "../../tools/lifecycle/lock";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

const now = new Date("2026-03-02T09:00:00Z");

describe("one change at a time per stack", () => {
    it("refuses a second run while the first one's up is running, without interleaving", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 2 });
        let release!: () => void;
        driver.upGate = new Promise((resolve) => (release = resolve));
        const first = cli(["rollback", ...base(dir)], fakeDeps(driver));
        // Let the first run reach its up.
        await new Promise((resolve) => setTimeout(resolve, 50));
        expect(driver.calls.map((c) => c.op)).toEqual(["setConfig", "up"]);
        const lockFile = path.join(dir, "lock");
        expect(JSON.parse(fs.readFileSync(lockFile, "utf8"))).toMatchObject({ pid: process.pid, command: "migration rollback" });

        for (const argv of [["rollback", ...base(dir), "--to", "0"], ["promote", ...base(dir), "--to", "3"], ["rollback", ...base(dir), "--gradual", "--abort"]]) {
            const second = await cli(argv, fakeDeps(driver));
            expect(second.code).toBe(1);
            expect(second.stderr).toMatch(/refused: the stack is locked by migration rollback \(pid \d+ on .*\)/);
        }
        expect(driver.calls.map((c) => c.op)).toEqual(["setConfig", "up"]);
        release();
        expect((await first).code).toBe(0);
        expect(fs.existsSync(lockFile)).toBe(false);
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
        expect(JSON.parse(fs.readFileSync(taken.file, "utf8"))).toMatchObject({ command: "next", host: "here" });
    });

    it("releases only its own lock", () => {
        const dir = tempDir();
        const mine = acquireLock(dir, { command: "mine", now, host: "a", isAlive: () => false });
        // Taken over as stale by another run (e.g. after a suspend): releasing must not remove it.
        const theirs = acquireLock(dir, { command: "theirs", now: new Date(now.getTime() + 1000), host: "a", isAlive: () => false });
        mine.release();
        expect(fs.existsSync(theirs.file)).toBe(true);
        theirs.release();
        expect(fs.existsSync(theirs.file)).toBe(false);
    });
});
