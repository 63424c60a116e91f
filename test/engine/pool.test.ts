/**
 * The pool keeps the workers of a run that ended cleanly for the next run of the same project
 * in this process, and starts a new one when the project, a runtime setting or the worker's
 * health says it must.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { liveChildren } from "../../tools/engine/children";
import { evaluationCacheVariable } from "../../tools/engine/evaluationCache";
import { endIdleWorkers, runJobs } from "../../tools/engine/pool";
import { stackType } from "../../tools/model/graph";
import { projectDir } from "../harness";
import { childrenOf, commandLineOf } from "../processes";

const plainProject = path.join(projectDir, "test/fixtures/plain-project");
const envProject = path.join(projectDir, "test/fixtures/env-project");
const job = (id: string, dir = plainProject) => ({ id, projectDir: dir, stack: "dev", overrides: {} });

async function evaluateOk(...jobs: ReturnType<typeof job>[]): Promise<void> {
    const results = await runJobs(jobs, { concurrency: 1 });
    for (const result of results.values()) expect(result.ok, result.ok ? "" : result.error.message).toBe(true);
}

/** This process's evaluation workers, from /proc (Linux). */
function workerPids(): number[] {
    return childrenOf(process.pid).filter((pid) => commandLineOf(pid).includes("engine/worker.ts"));
}

describe("workers kept between runs", () => {
    // Every run here must really evaluate: no cached graph.
    const cacheDir = process.env[evaluationCacheVariable];
    let base: number;
    beforeEach(async () => {
        delete process.env[evaluationCacheVariable];
        await endIdleWorkers();
        base = liveChildren();
    });
    afterEach(async () => {
        if (cacheDir !== undefined) process.env[evaluationCacheVariable] = cacheDir;
        delete process.env.PULUMI_POOL_TEST;
        delete process.env.ENV_PROJECT_VALUE;
        await endIdleWorkers();
    });

    it("serve the next run of the same project, and a new worker serves another project or runtime setting", async () => {
        await evaluateOk(job("a"));
        expect(liveChildren()).toBe(base + 1);
        const [kept] = workerPids();
        await evaluateOk(job("b"));
        expect(liveChildren()).toBe(base + 1);
        expect(workerPids()).toEqual([kept]);
        // A variable the runtime reads as it loads (PULUMI_*, NODE_*, TS_NODE_*) needs a worker started with it.
        process.env.PULUMI_POOL_TEST = "1";
        await evaluateOk(job("c"));
        expect(liveChildren()).toBe(base + 2);
        // A job of another project never runs in this project's worker (its working directory is the project).
        // One worker per core is kept: the least recently used one ends.
        await evaluateOk(job("d", path.join(projectDir, "test/fixtures/answered-invoke")));
        await vi.waitFor(() => expect(liveChildren()).toBe(base + Math.min(3, os.availableParallelism())));
    }, 120_000);

    it("give the program the environment of the run that sends the job", async () => {
        const seen = async (id: string) => {
            const result = (await runJobs([job(id, envProject)], { concurrency: 1 })).get(id)!;
            if (!result.ok) throw new Error(result.error.message);
            return result.graph.resources.find((r) => r.type === stackType)!.outputs.seen;
        };
        expect(await seen("a")).toBe("unset");
        const [kept] = workerPids();
        process.env.ENV_PROJECT_VALUE = "second run";
        expect(await seen("b")).toBe("second run");
        delete process.env.ENV_PROJECT_VALUE;
        expect(await seen("c")).toBe("unset");
        expect(workerPids()).toEqual([kept]);
    }, 120_000);

    it("never hold a process open, and a process that ends them waits for them", () => {
        // A process of its own: in this one, the test runner's handles would keep it alive anyway.
        const script = `
            const { runJobs, endIdleWorkers } = require(${JSON.stringify(path.join(projectDir, "tools/engine/pool"))});
            runJobs([${JSON.stringify(job("a"))}], { concurrency: 1 })
                .then((results) => { console.log("evaluated", results.get("a").ok); return endIdleWorkers(); })
                .then(() => console.log("ended"));
            process.on("exit", () => console.log("exit"));`;
        const run = spawnSync(process.execPath, ["-r", path.join(projectDir, "tools/engine/register.js"), "-e", script], { encoding: "utf8", timeout: 60_000 });
        expect(run.stdout.split("\n").filter(Boolean)).toEqual(["evaluated true", "ended", "exit"]);
    }, 120_000);

    it("are replaced when one ended while it waited", async () => {
        await evaluateOk(job("a"));
        expect(liveChildren()).toBe(base + 1);
        // The kept worker dies on its own (here: killed from outside); the next run starts a fresh one and succeeds.
        const [pid] = workerPids();
        process.kill(pid, "SIGKILL");
        await vi.waitFor(() => expect(liveChildren()).toBe(base));
        await evaluateOk(job("b"));
        expect(liveChildren()).toBe(base + 1);
        expect(workerPids()).not.toContain(pid);
    }, 120_000);
});
