/**
 * Runs evaluation jobs in worker processes, at most one per core. Each worker takes jobs one
 * after another (the Pulumi runtime is global to a process), so module loading is paid once
 * per worker rather than once per job.
 */
import { ChildProcess, fork } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { EvaluationJob, EvaluationResult } from "./job";

export interface PoolOptions {
    concurrency?: number;
    /** Longest a single evaluation may take before its worker is killed. */
    jobTimeoutMs?: number;
}

const workerFile = path.join(__dirname, "worker.ts");

function startWorker(cwd: string): ChildProcess {
    return fork(workerFile, [], {
        cwd,
        execArgv: ["-r", require.resolve("ts-node/register/transpile-only")],
        env: {
            ...process.env,
            TS_NODE_PROJECT: path.join(__dirname, "..", "..", "tsconfig.json"),
            // Programs are loaded as CommonJS whatever their own module setting.
            TS_NODE_COMPILER_OPTIONS: JSON.stringify({ module: "commonjs" }),
        },
        stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
}

export async function runJobs(jobs: readonly EvaluationJob[], options: PoolOptions = {}): Promise<Map<string, EvaluationResult>> {
    const results = new Map<string, EvaluationResult>();
    if (jobs.length === 0) return results;
    const queue = [...jobs];
    const concurrency = Math.max(1, Math.min(options.concurrency ?? os.availableParallelism(), jobs.length));
    const timeoutMs = options.jobTimeoutMs ?? 120_000;

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
                const result = await new Promise<EvaluationResult>((resolve) => {
                    const timer = setTimeout(() => {
                        cleanup();
                        current.kill("SIGKILL");
                        resolve({ id: job!.id, ok: false, error: { kind: "engine", message: `evaluating stack "${job!.stack}" did not finish within ${timeoutMs / 1000} s` } });
                    }, timeoutMs);
                    const onMessage = (message: EvaluationResult) => {
                        cleanup();
                        resolve(message);
                    };
                    const onExit = (code: number | null, signal: string | null) => {
                        cleanup();
                        const detail = stderr.trim().split("\n").slice(-5).join("\n");
                        resolve({
                            id: job!.id,
                            ok: false,
                            error: { kind: "engine", message: `the evaluation process exited (${signal ?? `code ${code}`})${detail ? `: ${detail}` : ""}` },
                        });
                    };
                    const cleanup = () => {
                        clearTimeout(timer);
                        current.off("message", onMessage);
                        current.off("exit", onExit);
                    };
                    current.on("message", onMessage);
                    current.on("exit", onExit);
                    current.send(job!);
                });
                results.set(job.id, result);
                if (!result.ok && result.error.kind === "engine") worker = undefined;
            }
        } finally {
            worker?.kill();
        }
    };
    await Promise.all(Array.from({ length: concurrency }, runWorker));
    return results;
}
