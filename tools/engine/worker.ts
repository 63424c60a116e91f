/**
 * Worker process: evaluates jobs one at a time, as the parent sends them over IPC, and tells
 * the parent it is making progress (at most once a second) so that a long program is never
 * mistaken for a hung one. A rejection the program leaves unhandled after its evaluation is
 * reported against the job that was running. The worker ends with its parent: when the IPC
 * channel closes (the parent exited or was killed), so does it.
 */
import { evaluateProject } from "./evaluateProject";
import { EvaluationProgress, EvaluationResult, WorkerMessage } from "./job";

const progressEveryMs = 1000;

let unhandled: unknown[] = [];
process.on("unhandledRejection", (reason) => {
    unhandled.push(reason);
});
process.on("disconnect", () => process.exit(0));

/** The program sees the run's environment, as in a worker started for this run. */
function useEnvironment(env: NodeJS.ProcessEnv): void {
    for (const name of Object.keys(process.env)) if (!(name in env)) delete process.env[name];
    Object.assign(process.env, env);
}

process.on("message", ({ job, env }: WorkerMessage) => {
    void (async () => {
        useEnvironment(env);
        unhandled = [];
        const started = performance.now();
        let lastSent = 0;
        const onProgress = (registered: number, lastUrn: string) => {
            const now = performance.now();
            if (now - lastSent < progressEveryMs) return;
            lastSent = now;
            process.send?.({ progress: { registered, lastUrn } } satisfies EvaluationProgress);
        };
        let result: EvaluationResult = await evaluateProject(job, { onProgress });
        // Let the runtime's last callbacks run before judging the job clean.
        await new Promise((resolve) => setImmediate(resolve));
        if (result.ok && unhandled.length > 0) {
            const reason = unhandled[0];
            const message = reason instanceof Error ? reason.message : String(reason);
            result = { id: job.id, ok: false, error: { kind: "program", message: `the program failed for stack "${job.stack}": ${message}` }, retire: true };
        }
        result.stats = { durationMs: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS };
        process.send!(result);
    })();
});
