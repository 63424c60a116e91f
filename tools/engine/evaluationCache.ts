/**
 * Successful evaluations kept on disk, for runs that evaluate the same program with the same
 * inputs again and again (the test suite sets it; nothing else does). Off unless
 * MIGRATION_EVALUATION_CACHE names a folder.
 *
 * The key covers every input of an evaluation: the job (stack, config overrides, the stack
 * references and snapshots it reads), the project's files (its sources, `Pulumi.yaml`, the
 * job's stack file and lockfile; `node_modules`, `.git`, `test/` and `docs/` are left out, and
 * the other stacks' files), and the engine's own sources and lockfile. A failed evaluation is
 * never kept: it runs again, and says why again. A hit is the graph the evaluation produced,
 * byte for byte, so no caller can tell it apart but by time.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { ResourceGraph } from "../model/graph";
import { EvaluationJob } from "./job";
import { parseStackName } from "./stackName";

export const evaluationCacheVariable = "MIGRATION_EVALUATION_CACHE";

/** Folders no program reads its inputs from. */
const skippedDirs = new Set(["node_modules", ".git", "test", "docs", ".migration", "dist"]);

function hashTree(hash: ReturnType<typeof createHash>, root: string, dir: string, skipFile: (rel: string) => boolean): void {
    let entries: fs.Dirent[];
    try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
        return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        const full = path.join(dir, entry.name);
        const rel = path.relative(root, full);
        if (entry.isDirectory()) {
            if (!skippedDirs.has(entry.name)) hashTree(hash, root, full, skipFile);
        } else if (entry.isFile() && !skipFile(rel)) {
            hash.update(rel).update("\0").update(fs.readFileSync(full)).update("\0");
        }
    }
}

const engineRoot = path.resolve(__dirname, "..", "..");
let engineDigest: string | undefined;

/** The engine's sources (tools/engine, tools/model) and its lockfile: a change to either changes every key. */
function engineKey(): string {
    if (engineDigest === undefined) {
        const hash = createHash("sha256");
        for (const dir of ["tools/engine", "tools/model"]) hashTree(hash, engineRoot, path.join(engineRoot, dir), () => false);
        const lock = path.join(engineRoot, "package-lock.json");
        if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
        engineDigest = hash.digest("hex");
    }
    return engineDigest;
}

/** The key of one job: its inputs as they are on disk now. */
export function evaluationKey(job: EvaluationJob): string {
    const hash = createHash("sha256");
    hash.update(engineKey());
    const { id: _id, ...inputs } = job;
    void _id;
    hash.update(JSON.stringify(inputs));
    const name = parseStackName(job.stack);
    const ownStackFile = name.ok ? `Pulumi.${name.name}.yaml` : undefined;
    // Other stacks' files are not inputs of this one (and tests write temporary ones beside it).
    hashTree(hash, job.projectDir, job.projectDir, (rel) => /^Pulumi\.[^/]+\.ya?ml$/.test(rel) && rel !== ownStackFile);
    return hash.digest("hex");
}

export interface EvaluationCache {
    get(job: EvaluationJob): ResourceGraph | undefined;
    put(job: EvaluationJob, graph: ResourceGraph): void;
}

/** The cache in `dir`, or none when no folder is named. */
export function evaluationCache(dir: string | undefined = process.env[evaluationCacheVariable]): EvaluationCache | undefined {
    if (!dir) return undefined;
    const keys = new Map<EvaluationJob, string>();
    const fileOf = (job: EvaluationJob) => {
        let key = keys.get(job);
        if (key === undefined) keys.set(job, (key = evaluationKey(job)));
        return path.join(dir, `${key}.json`);
    };
    return {
        get(job) {
            try {
                return JSON.parse(fs.readFileSync(fileOf(job), "utf8")) as ResourceGraph;
            } catch {
                return undefined;
            }
        },
        put(job, graph) {
            fs.mkdirSync(dir, { recursive: true });
            const file = fileOf(job);
            // Written whole, then renamed: a reader never sees half a graph.
            const partial = `${file}.${process.pid}.partial`;
            fs.writeFileSync(partial, JSON.stringify(graph));
            fs.renameSync(partial, file);
        },
    };
}
