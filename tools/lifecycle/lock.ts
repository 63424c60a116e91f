/**
 * One change at a time per stack: an exclusive lock file (`open` with O_EXCL) holding the
 * owner's pid, host, command and start time. Two runs that would interleave `setConfig` and
 * `up` on one stack are refused instead. A lock is stale when its process is gone (same host)
 * or it is older than `staleAfterMs` (another host's job that died); a stale lock is replaced.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface LockOwner {
    pid: number;
    host: string;
    command: string;
    startedAt: string;
}

export class LockHeldError extends Error {
    constructor(
        readonly file: string,
        readonly owner: LockOwner | undefined,
    ) {
        super(
            owner
                ? `the stack is locked by ${owner.command} (pid ${owner.pid} on ${owner.host}, since ${owner.startedAt}); wait for it to finish, or remove ${file} if that run is known to be dead`
                : `the stack is locked (${file} exists but is unreadable); remove it if no run is in progress`,
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

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
    }
}

function readOwner(file: string): LockOwner | undefined {
    try {
        return JSON.parse(fs.readFileSync(file, "utf8")) as LockOwner;
    } catch {
        return undefined;
    }
}

export interface Lock {
    file: string;
    release(): void;
}

export function acquireLock(dir: string, options: LockOptions): Lock {
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "lock");
    const owner: LockOwner = {
        pid: options.pid ?? process.pid,
        host: options.host ?? os.hostname(),
        command: options.command,
        startedAt: options.now.toISOString(),
    };
    const staleAfterMs = options.staleAfterMs ?? 6 * 3600_000;
    const isAlive = options.isAlive ?? alive;
    for (let attempt = 0; attempt < 2; attempt++) {
        try {
            const fd = fs.openSync(file, "wx");
            fs.writeSync(fd, JSON.stringify(owner) + "\n");
            fs.closeSync(fd);
            return {
                file,
                release() {
                    const current = readOwner(file);
                    if (current && current.pid === owner.pid && current.host === owner.host && current.startedAt === owner.startedAt) {
                        fs.rmSync(file, { force: true });
                    }
                },
            };
        } catch (err) {
            if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
        }
        const held = readOwner(file);
        const age = held ? options.now.getTime() - Date.parse(held.startedAt) : 0;
        const stale = held !== undefined && ((held.host === owner.host && !isAlive(held.pid)) || age > staleAfterMs);
        if (!stale) throw new LockHeldError(file, held);
        fs.rmSync(file, { force: true });
    }
    throw new LockHeldError(file, readOwner(file));
}
