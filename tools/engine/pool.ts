/**
 * Runs evaluation jobs in worker processes, at most one per core. Each worker takes jobs one
 * after another (the Pulumi runtime is global to a process), so module loading, and compiling
 * the program's TypeScript (register.js), is paid once per worker rather than once per job, and
 * a worker outlives its run for the next run of the same project (see `idle`). A worker that
 * failed an evaluation, or loaded an ES module, is retired and the next job gets a fresh one.
 *
 * The evaluation limit is on silence, not on total time: a job fails when its worker has sent
 * no progress (a resource registered) for `jobTimeoutMs`. A program of any size runs as long as
 * it keeps registering resources, and a hung one is ended after the same wait.
 */
import { ChildProcess, fork } from "node:child_process";
import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { adopt } from "./children";
import { evaluationCache } from "./evaluationCache";
import { EvaluationJob, EvaluationProgress, EvaluationResult, WorkerMessage } from "./job";

export interface PoolOptions {
    concurrency?: number;
    /** Longest an evaluation may go without registering a resource before its worker is killed. */
    jobTimeoutMs?: number;
    /** Told when a job starts, as it registers resources, and when it is done (ok or not). */
    onJob?: (id: string, state: "started" | "registering" | "done", registered: number) => void;
}

/** The default evaluation limit: two minutes without a registration. */
export const defaultJobTimeoutMs = 120_000;

const workerFile = path.join(__dirname, "worker.ts");

/** A worker process and the tail of its standard error (quoted when it exits mid-job). */
interface Worker {
    child: ChildProcess;
    cwd: string;
    /** Its project and load-time variables: only a run with the same may take it. */
    key: string;
    stderr: string;
}

/**
 * Workers whose run ended cleanly, kept for the next run of the same project in this process
 * (a host running several plans, such as the test suite or `migration diff`): a new worker
 * spends seconds loading the provider SDKs and compiling the program. At most one per core is
 * kept, the least recently used one is ended first, and a kept worker holds this process open
 * no longer than it would have otherwise: it ends with it (children.ts).
 */
const idle: Worker[] = [];
const maxIdle = os.availableParallelism();

/**
 * Variables the runtime and the compiler read as their modules load, once per worker: a kept
 * worker serves only a run whose values match. Every other variable reaches the program fresh
 * with each job (worker.ts), as it would in a new worker.
 */
const loadTimeVariable = /^(PULUMI_|NODE_|TS_NODE_)/;

function workerKey(cwd: string): string {
    const loadTime = Object.entries(process.env)
        .filter(([name]) => loadTimeVariable.test(name))
        .sort(([a], [b]) => (a < b ? -1 : 1));
    return createHash("sha256").update(cwd).update("\0").update(JSON.stringify(loadTime)).digest("hex");
}

function startWorker(cwd: string): Worker {
    const child = fork(workerFile, [], {
        cwd,
        execArgv: ["-r", path.join(__dirname, "register.js")],
        env: process.env,
        stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    adopt(child);
    const worker: Worker = { child, cwd, key: workerKey(cwd), stderr: "" };
    child.stderr?.on("data", (chunk: Buffer) => {
        worker.stderr = (worker.stderr + chunk.toString()).slice(-4000);
    });
    child.once("exit", () => {
        const index = idle.indexOf(worker);
        if (index >= 0) idle.splice(index, 1);
    });
    return worker;
}

function takeWorker(cwd: string): Worker {
    const key = workerKey(cwd);
    const index = idle.findIndex((w) => w.key === key);
    if (index < 0) return startWorker(cwd);
    const [worker] = idle.splice(index, 1);
    holdsProcess(worker, true);
    worker.stderr = "";
    return worker;
}

function park(worker: Worker): void {
    if (!worker.child.connected || worker.child.exitCode !== null || worker.child.signalCode !== null) return;
    holdsProcess(worker, false);
    idle.push(worker);
    while (idle.length > maxIdle) idle.shift()!.child.kill();
}

function holdsProcess(worker: Worker, hold: boolean): void {
    const { child } = worker;
    // The standard error pipe is a socket (stdio "pipe").
    for (const handle of [child, child.channel, child.stderr as Socket | null]) {
        if (hold) handle?.ref();
        else handle?.unref();
    }
}

/** Ends the workers kept for later runs, once they have exited (a benchmark measuring a cold start, a host that wants its process quiet). */
export async function endIdleWorkers(): Promise<void> {
    await Promise.all(
        idle.splice(0).map((worker) => {
            const exited = new Promise((resolve) => worker.child.once("exit", resolve));
            // Held again while it ends: a wait on nothing but kept workers would let this process exit.
            holdsProcess(worker, true);
            worker.child.kill();
            return exited;
        }),
    );
}

function isProgress(message: EvaluationResult | EvaluationProgress): message is EvaluationProgress {
    return "progress" in message;
}

export async function runJobs(jobs: readonly EvaluationJob[], options: PoolOptions = {}): Promise<Map<string, EvaluationResult>> {
    const results = new Map<string, EvaluationResult>();
    const cache = evaluationCache();
    const queue: EvaluationJob[] = [];
    for (const job of jobs) {
        const graph = cache?.get(job);
        if (graph) {
            results.set(job.id, { id: job.id, ok: true, graph });
            options.onJob?.(job.id, "done", graph.resources.length);
        } else queue.push(job);
    }
    if (queue.length === 0) return results;
    const concurrency = Math.max(1, Math.min(options.concurrency ?? os.availableParallelism(), queue.length));
    const timeoutMs = options.jobTimeoutMs ?? defaultJobTimeoutMs;

    const runWorker = async (): Promise<void> => {
        let worker: Worker | undefined;
        try {
            for (let job = queue.shift(); job; job = queue.shift()) {
                if (worker && worker.cwd !== job.projectDir) {
                    park(worker);
                    worker = undefined;
                }
                worker ??= takeWorker(job.projectDir);
                const current = worker.child;
                const running = worker;
                const stack = job.stack;
                const id = job.id;
                let registered = 0;
                let lastUrn: string | undefined;
                const result = await new Promise<EvaluationResult>((resolve) => {
                    let timer: NodeJS.Timeout;
                    const arm = () => {
                        clearTimeout(timer);
                        timer = setTimeout(() => {
                            cleanup();
                            current.kill("SIGKILL");
                            const last = lastUrn ? `; ${registered} resources registered, the last ${lastUrn}` : "; no resource registered";
                            resolve({
                                id,
                                ok: false,
                                error: {
                                    kind: "engine",
                                    message:
                                        `evaluating stack "${stack}" made no progress for ${timeoutMs / 1000} s${last}. ` +
                                        "A program that waits on something that never settles hangs here; a program that takes longer between resources needs a larger --eval-timeout",
                                },
                                retire: true,
                            });
                        }, timeoutMs);
                    };
                    const onMessage = (message: EvaluationResult | EvaluationProgress) => {
                        if (isProgress(message)) {
                            ({ registered, lastUrn } = message.progress);
                            arm();
                            options.onJob?.(id, "registering", registered);
                            return;
                        }
                        cleanup();
                        resolve(message);
                    };
                    const onExit = (code: number | null, signal: string | null) => {
                        cleanup();
                        const detail = running.stderr.trim().split("\n").slice(-5).join("\n");
                        resolve({
                            id,
                            ok: false,
                            error: { kind: "engine", message: `the evaluation process exited (${signal ?? `code ${code}`})${detail ? `: ${detail}` : ""}` },
                            retire: true,
                        });
                    };
                    const cleanup = () => {
                        clearTimeout(timer);
                        current.off("message", onMessage);
                        current.off("exit", onExit);
                    };
                    arm();
                    options.onJob?.(id, "started", 0);
                    current.on("message", onMessage);
                    current.on("exit", onExit);
                    current.send({ job: job!, env: { ...process.env } } satisfies WorkerMessage);
                });
                results.set(job.id, result);
                if (result.ok) cache?.put(job, result.graph);
                options.onJob?.(job.id, "done", result.ok ? result.graph.resources.length : registered);
                if (result.retire) {
                    current.kill();
                    worker = undefined;
                }
            }
            if (worker) park(worker);
            worker = undefined;
        } finally {
            worker?.child.kill();
        }
    };
    await Promise.all(Array.from({ length: concurrency }, runWorker));
    return results;
}
