/**
 * Worker process: evaluates jobs one at a time, as the parent sends them over IPC. A
 * rejection the program leaves unhandled is reported against the job that was running.
 */
import { evaluateProject } from "./evaluateProject";
import { EvaluationJob, EvaluationResult } from "./job";

let unhandled: unknown[] = [];
process.on("unhandledRejection", (reason) => {
    unhandled.push(reason);
});

process.on("message", (job: EvaluationJob) => {
    void (async () => {
        unhandled = [];
        const started = performance.now();
        let result: EvaluationResult = await evaluateProject(job);
        // Let the runtime's last callbacks run before judging the job clean.
        await new Promise((resolve) => setImmediate(resolve));
        if (result.ok && unhandled.length > 0) {
            const reason = unhandled[0];
            const message = reason instanceof Error ? reason.message : String(reason);
            result = { id: job.id, ok: false, error: { kind: "program", message: `the program failed for stack "${job.stack}": ${message}` } };
        }
        result.stats = { durationMs: performance.now() - started, maxRssKb: process.resourceUsage().maxRSS };
        process.send!(result);
    })();
});
