/**
 * One change at a time per stack. The lock is a sequence of generation files in
 * `<state dir>/locks/` (`000000000007.json`): the highest generation says who holds the lock,
 * or that it was released. Each file is created complete and exclusively — its content is
 * written to a temporary file, synced, then hard-linked under the generation's name, which
 * fails if that name exists — and is never changed afterwards.
 *
 * Taking the lock is judging the highest generation (free when released; stale when its
 * process is gone on this host, or when it is older than `staleAfterMs`, another host's job
 * that died) and creating the next one. Runs that judge at the same moment all try to create
 * the same next generation, and the file system lets exactly one of them: a stale lock is
 * taken over in one atomic step, and no run ever removes a lock file to take the lock, so none
 * can remove the lock another run has just taken. Releasing is creating the next generation,
 * marked released, if the run's own generation is still the highest.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface LockOwner {
    pid: number;
    host: string;
    command: string;
    startedAt: string;
}

type Generation = ({ state: "held" } & LockOwner) | { state: "released"; releasedAt: string; by: LockOwner };

export class LockHeldError extends Error {
    constructor(
        readonly file: string,
        readonly owner: LockOwner | undefined,
    ) {
        super(
            owner
                ? `the stack is locked by ${owner.command} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}); wait for it to finish ` +
                      `(a lock whose process is gone on this host, or older than its limit, is taken over by the next run; to take it now, remove ${file} once that run is known to be dead)`
                : `the stack is locked (${file} is unreadable); remove it if no run is in progress`,
        );
        this.name = "LockHeldError";
    }
}

export interface LockOptions {
    command: string;
    now: Date;
    /** A lock older than this is stale whatever its host (default 6 hours: longer than any up). */
    staleAfterMs?: number;
    pid?: number;
    host?: string;
    /** Whether a process is alive on this host (injectable for tests). */
    isAlive?: (pid: number) => boolean;
}

export interface Lock {
    file: string;
    release(): void;
}

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

const generationName = (n: number) => `${String(n).padStart(12, "0")}.json`;

function generations(dir: string): number[] {
    let names: string[];
    try {
        names = fs.readdirSync(dir);
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
        throw err;
    }
    return names.filter((n) => /^\d{12}\.json$/.test(n)).map((n) => Number(n.slice(0, 12))).sort((a, b) => a - b);
}

function readGeneration(file: string): Generation | undefined {
    try {
        const value = JSON.parse(fs.readFileSync(file, "utf8")) as Generation;
        return value && (value.state === "held" || value.state === "released") ? value : undefined;
    } catch {
        return undefined;
    }
}

/** Creates `file` with `content`, complete, or fails with EEXIST: link(2) never replaces a name. */
function createExclusive(dir: string, file: string, content: string): boolean {
    const temp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}`);
    const fd = fs.openSync(temp, "wx");
    try {
        fs.writeSync(fd, content);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    try {
        fs.linkSync(temp, file);
        return true;
    } catch (err) {
        if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
        throw err;
    } finally {
        fs.rmSync(temp, { force: true });
    }
}

export function acquireLock(stateDir: string, options: LockOptions): Lock {
    const dir = path.join(stateDir, "locks");
    fs.mkdirSync(dir, { recursive: true });
    const owner: LockOwner = {
        pid: options.pid ?? process.pid,
        host: options.host ?? os.hostname(),
        command: options.command,
        startedAt: options.now.toISOString(),
    };
    const staleAfterMs = options.staleAfterMs ?? 6 * 3600_000;
    const isAlive = options.isAlive ?? alive;
    // A few rounds: each lost race means another run moved the lock on, and is judged again.
    for (let attempt = 0; attempt < 5; attempt++) {
        const existing = generations(dir);
        const highest = existing[existing.length - 1] ?? 0;
        if (highest > 0) {
            const file = path.join(dir, generationName(highest));
            const current = readGeneration(file);
            if (!current) throw new LockHeldError(file, undefined);
            if (current.state === "held") {
                const age = options.now.getTime() - Date.parse(current.startedAt);
                const stale = (current.host === owner.host && !isAlive(current.pid)) || age > staleAfterMs;
                if (!stale) throw new LockHeldError(file, current);
            }
        }
        const mine = highest + 1;
        const file = path.join(dir, generationName(mine));
        if (!createExclusive(dir, file, JSON.stringify({ state: "held", ...owner } satisfies Generation) + "\n")) continue;
        // A run that judged long ago may create a generation that was cleaned up: it holds nothing.
        const after = generations(dir);
        if (after[after.length - 1] !== mine) {
            fs.rmSync(file, { force: true });
            continue;
        }
        for (const old of existing.filter((g) => g < highest)) fs.rmSync(path.join(dir, generationName(old)), { force: true });
        return {
            file,
            release() {
                const now = generations(dir);
                if (now[now.length - 1] !== mine) return; // taken over as stale meanwhile: not ours to release
                createExclusive(dir, path.join(dir, generationName(mine + 1)), JSON.stringify({ state: "released", releasedAt: new Date().toISOString(), by: owner } satisfies Generation) + "\n");
            },
        };
    }
    const existing = generations(dir);
    const file = path.join(dir, generationName(existing[existing.length - 1] ?? 0));
    const current = readGeneration(file);
    throw new LockHeldError(file, current?.state === "held" ? current : undefined);
}

/** Who holds the lock now, if anyone (for status). */
export function lockHolder(stateDir: string): LockOwner | undefined {
    const dir = path.join(stateDir, "locks");
    const existing = generations(dir);
    if (existing.length === 0) return undefined;
    const current = readGeneration(path.join(dir, generationName(existing[existing.length - 1])));
    return current?.state === "held" ? current : undefined;
}
