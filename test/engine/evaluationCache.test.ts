/**
 * The evaluation cache the test suite runs with: a hit only when every input is the same, a
 * change to any input a miss, and never a failed evaluation kept.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { evaluationCache, evaluationCacheVariable, evaluationKey } from "../../tools/engine/evaluationCache";
import { EvaluationJob } from "../../tools/engine/job";
import { runJobs } from "../../tools/engine/pool";
import { projectDir } from "../harness";

const work = fs.mkdtempSync(path.join(os.tmpdir(), "migration-cache-test-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A copy of the plain fixture project, with the project's node_modules beside it. */
function project(name: string): string {
    const dir = path.join(work, name);
    fs.cpSync(path.join(projectDir, "test/fixtures/plain-project"), dir, { recursive: true });
    fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"), "dir");
    return dir;
}

const job = (dir: string, overrides: Record<string, string> = {}, id = "a"): EvaluationJob => ({ id, projectDir: dir, stack: "dev", overrides });

describe("evaluationKey", () => {
    const dir = project("keys");
    const key = () => evaluationKey(job(dir));

    it("is the same for the same inputs, whatever the job's id", () => {
        expect(evaluationKey(job(dir, {}, "x"))).toBe(evaluationKey(job(dir, {}, "y")));
    });

    it("changes with the program's sources, the stack's file and the overrides", () => {
        const before = key();
        fs.appendFileSync(path.join(dir, "index.ts"), "\n// changed\n");
        const afterSource = key();
        expect(afterSource).not.toBe(before);
        fs.appendFileSync(path.join(dir, "Pulumi.dev.yaml"), "\n");
        expect(key()).not.toBe(afterSource);
        expect(evaluationKey(job(dir, { "plain:x": "1" }))).not.toBe(key());
    });

    it("does not change with other stacks' files, tests or docs", () => {
        const before = key();
        fs.writeFileSync(path.join(dir, "Pulumi.temporary.yaml"), "config: {}\n");
        fs.mkdirSync(path.join(dir, "test"), { recursive: true });
        fs.writeFileSync(path.join(dir, "test", "x.test.ts"), "export {};\n");
        expect(key()).toBe(before);
    });
});

describe("runJobs with the cache", () => {
    /** Runs with the cache in `cacheDir`, whatever the suite's own cache is. */
    async function withCache<T>(cacheDir: string, run: () => Promise<T>): Promise<T> {
        const previous = process.env[evaluationCacheVariable];
        process.env[evaluationCacheVariable] = cacheDir;
        try {
            return await run();
        } finally {
            if (previous === undefined) delete process.env[evaluationCacheVariable];
            else process.env[evaluationCacheVariable] = previous;
        }
    }

    it("answers a job it has seen from the cache, without starting a worker", async () => {
        const dir = project("hits");
        const started: string[] = [];
        const onJob = (id: string, state: string) => state === "started" && started.push(id);
        const [first, second] = await withCache(path.join(work, "cache"), async () => [
            await runJobs([job(dir, {}, "first")], { onJob }),
            await runJobs([job(dir, {}, "second")], { onJob }),
        ]);
        expect(started).toEqual(["first"]);
        const [a, b] = [first.get("first")!, second.get("second")!];
        expect(a.ok && b.ok).toBe(true);
        if (a.ok && b.ok) expect(JSON.stringify(b.graph)).toBe(JSON.stringify(a.graph));
    }, 120_000);

    it("never keeps a failed evaluation: it runs again and fails again", async () => {
        const dir = project("failures");
        const cacheDir = path.join(work, "failures-cache");
        const failing = (id: string) => job(dir, { "plain:fail": "true" }, id);
        const [first, second] = await withCache(cacheDir, async () => [await runJobs([failing("one")]), await runJobs([failing("two")])]);
        expect(first.get("one")).toMatchObject({ ok: false, error: { message: expect.stringContaining("the program was told to fail") } });
        expect(second.get("two")).toMatchObject({ ok: false, error: { message: expect.stringContaining("the program was told to fail") } });
        expect(evaluationCache(cacheDir)!.get(failing("three"))).toBeUndefined();
    }, 120_000);

    it("is off unless a folder is named", () => {
        expect(evaluationCache("")).toBeUndefined();
        const previous = process.env[evaluationCacheVariable];
        delete process.env[evaluationCacheVariable];
        try {
            expect(evaluationCache()).toBeUndefined();
        } finally {
            if (previous !== undefined) process.env[evaluationCacheVariable] = previous;
        }
    });
});
