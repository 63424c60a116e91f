/**
 * Runs evaluation jobs in worker processes, at most one per core. Each worker takes jobs one
 * after another (the Pulumi runtime is global to a process), so module loading, and compiling
 * the program's TypeScript (register.js), is paid once per worker rather than once per job. A worker that failed an evaluation, or loaded an ES
 * module, is retired and the next job gets a fresh one.
 *
 * The evaluation limit is on silence, not on total time: a job fails when its worker has sent
 * no progress (a resource registered) for `jobTimeoutMs`. A program of any size runs as long as
 * it keeps registering resources, and a hung one is ended after the same wait.
 */
import { ChildProcess, fork } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { adopt } from "./children";
import { evaluationCache } from "./evaluationCache";
import { EvaluationJob, EvaluationProgress, EvaluationResult } from "./job";

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

function startWorker(cwd: string): ChildProcess {
    const child = fork(workerFile, [], {
        cwd,
        execArgv: ["-r", path.join(__dirname, "register.js")],
        env: {
            ...process.env,
            TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json"),
            // CommonJS programs are compiled as CommonJS whatever their own module setting.
            TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: "commonjs" }),
        },
        stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    adopt(child);
    return child;
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
        let worker: ChildProcess | undefined;
        let stderr = "";
        try {
            for (let job = queue.shift(); job; job = queue.shift()) {
                if (!worker) {
                    worker = startWorker(job.projectDir);
                    stderr = "";
                    worker.stderr?.on("data", (chunk: Buffer) => {
                        stderr = (stderr + chunk.toString()).slice(-4000);
                    });
                }
                const current = worker;
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
                        const detail = stderr.trim().split("\n").slice(-5).join("\n");
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
                    current.send(job!);
                });
                results.set(job.id, result);
                if (result.ok) cache?.put(job, result.graph);
                options.onJob?.(job.id, "done", result.ok ? result.graph.resources.length : registered);
                if (result.retire) {
                    current.kill();
                    worker = undefined;
                }
            }
        } finally {
            worker?.kill();
        }
    };
    await Promise.all(Array.from({ length: concurrency }, runWorker));
    return results;
}
