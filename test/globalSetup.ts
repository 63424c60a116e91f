/**
 * One evaluation cache for the whole run (tools/engine/evaluationCache.ts): a stack evaluated
 * with the same inputs by several suites (dev at phase 0, prod at every phase…) is evaluated
 * once. A fresh folder each run, removed at the end, so a run never reads an older run's graphs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluationCacheVariable } from "../tools/engine/evaluationCache";

export default function setup(): () => void {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-evaluations-"));
    process.env[evaluationCacheVariable] = dir;
    return () => fs.rmSync(dir, { recursive: true, force: true });
}
