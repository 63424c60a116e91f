/**
 * Two lifecycle runs started together on one stack, as real processes, over many rounds: on a
 * free stack and on one whose lock a dead process left behind. Exactly one run proceeds to its
 * `up`; the other exits 1 naming the holder. (The lock's atomic take-over: lock.ts.)
 */
import * as os from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acquireLock, lockHolder } from "../../tools/lifecycle/lock";
import { base, tempDir } from "./fakeDriver";
import { Message, Worker } from "./workers";

const rounds = 25;
let workers: Worker[] = [];

beforeAll(async () => {
    workers = [new Worker(), new Worker()];
    for (const w of workers) expect((await w.next()).kind).toBe("ready");
}, 120_000);

afterAll(() => {
    for (const w of workers) w.process.kill();
});

async function round(dir: string): Promise<void> {
    const argv = ["rollback", ...base(dir)];
    const startAt = Date.now() + 40;
    for (const w of workers) w.send({ kind: "run", argv, startAt });
    const first = await Promise.all(workers.map((w) => w.next()));
    const proceeded = workers.filter((_, i) => first[i].kind === "up");
    const refused = first.filter((m): m is Extract<Message, { kind: "done" }> => m.kind === "done");
    expect(proceeded.length, JSON.stringify(first)).toBe(1);
    expect(refused).toHaveLength(1);
    const holder = proceeded[0].process.pid;
    expect(refused[0].code).toBe(1);
    expect(refused[0].stderr).toContain(`refused: the stack is locked by migration rollback (pid ${holder} on ${os.hostname()}`);
    expect(lockHolder(dir)).toMatchObject({ pid: holder, command: "migration rollback" });
    proceeded[0].send({ kind: "release" });
    const done = await proceeded[0].next();
    expect(done).toMatchObject({ kind: "done", code: 0 });
    expect(lockHolder(dir)).toBeUndefined();
}

describe("two runs started together on one stack (real processes)", () => {
    it(`exactly one proceeds on a free stack, ${rounds} rounds`, async () => {
        for (let i = 0; i < rounds; i++) await round(tempDir());
    }, 120_000);

    it(`exactly one takes over a dead process's lock, ${rounds} rounds`, async () => {
        for (let i = 0; i < rounds; i++) {
            const dir = tempDir();
            // Left by a run that died: a pid that no process on this host has.
            acquireLock(dir, { command: "migration rollback --to 0", now: new Date(), pid: 2 ** 22 + 12_345, isAlive: () => true });
            await round(dir);
        }
    }, 120_000);
});
