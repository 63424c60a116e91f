/**
 * Durable lifecycle state of a stack, in `.migration/<stack>/` of the project (or `--state-dir`):
 *
 * - `history.jsonl`: every transition, one JSON object a line, appended (never rewritten);
 * - `gradual.json`: the progress of a gradual rollback, replaced atomically at each step;
 * - `lock`: held while a command changes the stack (lock.ts).
 *
 * They are files beside `Pulumi.<stack>.yaml` because that is what a CI job already persists:
 * the job that runs `migration rollback --gradual` commits the stack file and this folder
 * together (or keeps the folder as a cache keyed by stack). Nothing here is secret.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { writeAtomically } from "../cli/output";
import { GateOutcome } from "../../components/gates";

export function stateDir(projectDir: string, stack: string, override?: string): string {
    return override ? path.resolve(override) : path.join(projectDir, ".migration", stack);
}

export type TransitionKind = "promote" | "rollback" | "gradual-stage" | "gradual-complete" | "gradual-abort";

export interface Transition {
    at: string;
    who: string;
    kind: TransitionKind;
    fromPhase: number;
    toPhase: number;
    /** Databricks workload share before and after, when the step moved it. */
    fromShare?: number;
    toShare?: number;
    stage?: number;
    gate?: { status: string; reason: string; outcomes?: GateOutcome[] };
    /** "succeeded", or why the step failed (a failed `up` is history too). */
    result: string;
}

export function appendHistory(dir: string, entry: Transition): void {
    fs.mkdirSync(dir, { recursive: true });
    fs.appendFileSync(path.join(dir, "history.jsonl"), JSON.stringify(entry) + "\n");
}

export function readHistory(dir: string): Transition[] {
    const file = path.join(dir, "history.jsonl");
    if (!fs.existsSync(file)) return [];
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line) => JSON.parse(line) as Transition);
}

export interface StageRecord {
    stage: number;
    share: number;
    /** Set before `up` runs: a rerun after an interruption reapplies this same share. */
    startedAt: string;
    /** Set once `up` succeeded; the stage's duration counts from here. */
    appliedAt?: string;
}

export interface GradualProgress {
    status: "in-progress" | "aborted" | "complete";
    startedAt: string;
    /** The phase-3 Databricks share the rollback started from. */
    startShare: number;
    stages: StageRecord[];
    /** The last step: the return to phase 0 once the share is 0 and stage 3's duration has passed. */
    phaseDrop?: { startedAt: string; appliedAt?: string };
    abortedAt?: string;
}

export function readProgress(dir: string): GradualProgress | undefined {
    const file = path.join(dir, "gradual.json");
    if (!fs.existsSync(file)) return undefined;
    return JSON.parse(fs.readFileSync(file, "utf8")) as GradualProgress;
}

export function writeProgress(dir: string, progress: GradualProgress): void {
    fs.mkdirSync(dir, { recursive: true });
    writeAtomically(path.join(dir, "gradual.json"), JSON.stringify(progress, null, 2) + "\n");
}

/** Who runs the command: `MIGRATION_USER`, the CI actor, the git user, or the OS user. */
export function currentUser(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
    if (env.MIGRATION_USER) return env.MIGRATION_USER;
    if (env.GITHUB_ACTOR) return `${env.GITHUB_ACTOR} (GitHub Actions)`;
    if (env.GITLAB_USER_LOGIN) return `${env.GITLAB_USER_LOGIN} (GitLab CI)`;
    try {
        const name = execFileSync("git", ["config", "user.name"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        const email = execFileSync("git", ["config", "user.email"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
        if (name) return email ? `${name} <${email}>` : name;
    } catch {
        // not a git checkout, or git is not installed
    }
    return os.userInfo().username;
}
