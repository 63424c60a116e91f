/**
 * The lifecycle's own record of a stack, in `.migration/<stack>/` of the project (or
 * `--state-dir`): `history.jsonl` (every step, one JSON object a line: its intent, appended
 * before its `up`, and its outcome, appended after) and `locks/` (lock.ts). Nothing here is
 * secret.
 *
 * None of it decides a step. What a step does is decided from the stack itself: its config
 * (the phase, the share, and the gradual rollback's record, written before each `up`) and the
 * outputs of its last completed update (the phase and share it really runs at). Losing or
 * truncating this folder therefore never makes a run take a step it would not have taken;
 * it loses only the audit trail, and a bad file is named with how to repair it.
 *
 * Writes are durable: every append is synced to disk before the command goes on.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { z } from "zod";
import { maxPhase } from "../../domain/targets";

export function stateDir(projectDir: string, stack: string, override?: string): string {
    return override ? path.resolve(override) : path.join(projectDir, ".migration", stack);
}

export const transitionKinds = ["promote", "rollback", "gradual-stage", "gradual-complete", "gradual-abort"] as const;
export type TransitionKind = (typeof transitionKinds)[number];

const phase = z.number().int().min(0).max(maxPhase);
const share = z.number().min(0).max(1);

const transitionSchema = z.strictObject({
    at: z.string().min(1),
    who: z.string(),
    kind: z.enum(transitionKinds),
    /** Ties an intent to its outcome: the time the step started and its kind. */
    step: z.string().min(1).optional(),
    fromPhase: phase,
    toPhase: phase,
    /** Databricks workload share before and after, when the step moved it. */
    fromShare: share.optional(),
    toShare: share.optional(),
    stage: z.number().int().min(1).optional(),
    gate: z.strictObject({ status: z.string(), reason: z.string(), outcomes: z.array(z.unknown()).optional() }).optional(),
    /** "started" (the intent, before `up`), "succeeded", or why the step failed. */
    result: z.string().min(1),
});

export type Transition = z.infer<typeof transitionSchema>;

/** A lifecycle state file that cannot be read as written: named, with how to repair it. */
export class StateFileError extends Error {
    constructor(
        readonly file: string,
        problem: string,
        repair: string,
    ) {
        super(`${file}: ${problem}. ${repair}`);
        this.name = "StateFileError";
    }
}

const historyFile = (dir: string) => path.join(dir, "history.jsonl");

/** Appends one entry and syncs it to disk. An entry cut short earlier does not swallow this one. */
export function appendHistory(dir: string, entry: Transition): void {
    const checked = transitionSchema.parse(entry);
    fs.mkdirSync(dir, { recursive: true });
    const file = historyFile(dir);
    const existed = fs.existsSync(file);
    const fd = fs.openSync(file, "a+");
    try {
        const { size } = fs.fstatSync(fd);
        let separator = "";
        if (size > 0) {
            const last = Buffer.alloc(1);
            fs.readSync(fd, last, 0, 1, size - 1);
            if (last.toString() !== "\n") separator = "\n";
        }
        fs.writeSync(fd, separator + JSON.stringify(checked) + "\n");
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    if (!existed) syncDirectory(dir);
}

/** A new file's name is durable once its directory is synced. */
function syncDirectory(dir: string): void {
    const fd = fs.openSync(dir, "r");
    try {
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
}

/** Every entry, validated; a line that is not a transition is reported with its number. */
export function readHistory(dir: string): Transition[] {
    const file = historyFile(dir);
    if (!fs.existsSync(file)) return [];
    const repair =
        "Restore the file from where the pipeline keeps it (its commit or cache), or delete that line: the history is an audit " +
        "trail, no step depends on it, and `pulumi stack history` keeps every update of the stack";
    return fs
        .readFileSync(file, "utf8")
        .split("\n")
        .map((line, i) => ({ line, number: i + 1 }))
        .filter(({ line }) => line.trim() !== "")
        .map(({ line, number }) => {
            let raw: unknown;
            try {
                raw = JSON.parse(line);
            } catch (err) {
                throw new StateFileError(file, `line ${number} is not JSON (${(err as Error).message}); it was probably cut short by an interrupted write`, repair);
            }
            const parsed = transitionSchema.safeParse(raw);
            if (!parsed.success) {
                const issue = parsed.error.issues[0];
                throw new StateFileError(file, `line ${number} is not a transition (${issue.path.join(".") || "the line"}: ${issue.message})`, repair);
            }
            return parsed.data;
        });
}

/** The last step whose intent was recorded and whose outcome was not (a run killed during it). */
export function unfinishedStep(history: readonly Transition[]): Transition | undefined {
    const last = [...history].reverse().find((t) => t.step !== undefined);
    return last && last.result === "started" ? last : undefined;
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
