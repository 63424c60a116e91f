/**
 * Before any test file runs:
 * - One temporary folder for the run, removed at its end: TMPDIR names it, so the folders the
 *   suites and the processes they start make (projects, stack state, reports) go there, and a
 *   run leaves none behind, even from a test that kills a process before it cleans up.
 * - One evaluation cache for the whole run (tools/engine/evaluationCache.ts): a stack evaluated
 *   with the same inputs by several suites (dev at phase 0, prod at every phase…) is evaluated
 *   once. A fresh folder each run, removed at the end, so a run never reads an older run's graphs.
 * - The project's TypeScript compiled once into the compile cache the `migration` processes and
 *   the evaluation workers share (tools/engine/compileMemo.js), rather than by every process the
 *   first suites start at the same moment.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluationCacheVariable } from "../tools/engine/evaluationCache";

const root = path.resolve(__dirname, "..");
/**
 * What the processes a run starts load: the program, the command's and the engine's tools, and
 * the lifecycle tests' worker with what it imports. Not the pack (its runner type-checks it),
 * the benchmark and docs tools (no test starts them), nor the suites (vitest compiles them).
 */
const compiled = ["components", "domain", "stacks", "tools", "test/lifecycle", "test/fixtures", "test/harness.ts"];
const skipped = /(^|\/)(bench|docs|esm-project)(\/|$)|\.test\.ts$/;

function sources(dir: string): string[] {
    if (fs.statSync(dir).isFile()) return [dir];
    return fs.readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((file) => /\.(ts|js)$/.test(file) && !file.endsWith(".d.ts") && !skipped.test(path.join(path.relative(root, dir), file)))
        .map((file) => path.join(dir, file));
}

/** Compiles `files` in one process per core, each taking every n-th file; a warm-up, so it never fails the run. */
async function compileAll(files: string[]): Promise<void> {
    const processes = Math.max(1, os.availableParallelism());
    const memo = path.join(root, "tools/engine/compileMemo.js");
    await Promise.all(
        Array.from({ length: processes }, (_, i) => {
            const share = files.filter((_, n) => n % processes === i);
            const script = `require(${JSON.stringify(memo)}).compileAhead(${JSON.stringify(share)})`;
            return new Promise<void>((resolve) => {
                execFile(process.execPath, ["-e", script], () => resolve());
            });
        }),
    );
}

export default async function setup(): Promise<() => void> {
    const run = fs.mkdtempSync(path.join(os.tmpdir(), "migration-tests-"));
    process.env.TMPDIR = run;
    const evaluations = path.join(run, "evaluations");
    fs.mkdirSync(evaluations);
    process.env[evaluationCacheVariable] = evaluations;
    await compileAll(compiled.flatMap((folder) => sources(path.join(root, folder))));
    return () => fs.rmSync(run, { recursive: true, force: true });
}
