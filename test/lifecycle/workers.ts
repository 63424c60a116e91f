/**
 * A lifecycle run in another process (lifecycleWorker.ts), driven over IPC: the lock contention and
 * the interruption tests start real processes, race them and kill them.
 */
import { ChildProcess, fork } from "node:child_process";
import * as path from "node:path";

export type Message = { kind: "ready" | "up"; pid: number } | { kind: "done"; pid: number; code: number; stderr: string };

export class Worker {
    readonly process: ChildProcess;
    private queue: Message[] = [];
    private waiting: ((m: Message) => void)[] = [];

    constructor() {
        this.process = fork(path.join(__dirname, "lifecycleWorker.ts"), [], {
            execArgv: ["-r", path.join(__dirname, "..", "..", "tools", "engine", "register.js")],
            env: process.env,
            stdio: ["ignore", "ignore", "inherit", "ipc"],
        });
        this.process.on("message", (m: Message) => {
            const waiter = this.waiting.shift();
            if (waiter) waiter(m);
            else this.queue.push(m);
        });
    }

    next(): Promise<Message> {
        const queued = this.queue.shift();
        return queued ? Promise.resolve(queued) : new Promise((resolve) => this.waiting.push(resolve));
    }

    send(message: unknown): void {
        this.process.send(message as never);
    }
}

