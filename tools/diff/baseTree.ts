/**
 * The base side of a diff: a git ref resolved to a commit, checked out in a temporary git
 * worktree, with dependencies the program and the pack can load.
 *
 * The worktree is removed on every path out: when the work finishes or throws, and on
 * SIGINT, SIGTERM or SIGHUP (then the process exits 128 + the signal's number, so packs
 * and workers are ended by their own exit hooks). `node_modules` is the working tree's own,
 * linked, when the base's lockfile is the same; otherwise `npm ci` installs the base's.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ProjectError } from "../engine/project";

/** A bad base ref or a git failure: reported like a bad project, with exit code 2. */
export class GitError extends ProjectError {
    constructor(message: string) {
        super(message);
        this.name = "GitError";
    }
}

function git(cwd: string, args: readonly string[]): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function tryGit(cwd: string, args: readonly string[]): string | undefined {
    try {
        return git(cwd, args);
    } catch {
        return undefined;
    }
}

/** The top of the git working tree holding `dir`. */
export function repositoryRoot(dir: string): string {
    const root = tryGit(dir, ["rev-parse", "--show-toplevel"]);
    if (!root) throw new GitError(`--base needs a git repository: ${path.resolve(dir)} is not in one`);
    return fs.realpathSync(root);
}

export interface BaseRef {
    /** What was asked for (or how the default was found). */
    ref: string;
    commit: string;
}

function commitOf(root: string, ref: string): string | undefined {
    return tryGit(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${ref}^{commit}`]);
}

/** The branch the repository merges into: origin's HEAD, else main or master, remote or local. */
function defaultBranch(root: string): string | undefined {
    const originHead = tryGit(root, ["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"]);
    return [originHead, "origin/main", "origin/master", "main", "master"].find((c): c is string => c !== undefined && commitOf(root, c) !== undefined);
}

/** `ref` as a commit; without one, the merge base of HEAD with the default branch. */
export function resolveBase(root: string, ref: string | undefined): BaseRef {
    if (ref !== undefined) {
        const commit = ref.startsWith("-") ? undefined : commitOf(root, ref);
        if (!commit) {
            const shallow = tryGit(root, ["rev-parse", "--is-shallow-repository"]) === "true";
            throw new GitError(
                `--base ${ref}: not a commit in ${root}; expected a branch, tag or commit (e.g. origin/main, HEAD~1, a SHA)` +
                    (shallow ? ". This clone is shallow: fetch the base first (git fetch --deepen, or actions/checkout with fetch-depth: 0)" : ""),
            );
        }
        return { ref, commit };
    }
    const branch = defaultBranch(root);
    if (!branch) throw new GitError("no default branch to compare with (tried origin/HEAD, origin/main, origin/master, main, master): pass --base REF");
    const commit = tryGit(root, ["merge-base", "HEAD", branch]);
    if (!commit) throw new GitError(`HEAD has no merge base with ${branch}: pass --base REF`);
    return { ref: `merge-base(HEAD, ${branch})`, commit };
}

/** The working tree's commit, and whether it has changes of its own. */
export function headOf(root: string): { commit: string | null; dirty: boolean } {
    const commit = tryGit(root, ["rev-parse", "--verify", "--quiet", "HEAD"]) ?? null;
    const dirty = (tryGit(root, ["status", "--porcelain", "--untracked-files=normal"]) ?? "") !== "";
    return { commit, dirty };
}

const exitSignals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/** Checks `commit` out in a temporary worktree, runs `work` in it, and removes it whatever happens. */
export async function withBaseTree<T>(root: string, commit: string, work: (dir: string) => Promise<T>): Promise<T> {
    const temp = fs.mkdtempSync(path.join(os.tmpdir(), "migration-diff-"));
    const dir = path.join(temp, "base");
    let removed = false;
    const remove = () => {
        if (removed) return;
        removed = true;
        tryGit(root, ["worktree", "remove", "--force", "--force", dir]);
        fs.rmSync(temp, { recursive: true, force: true });
        tryGit(root, ["worktree", "prune"]);
    };
    const onSignal = (signal: NodeJS.Signals) => {
        remove();
        process.exit(128 + (os.constants.signals[signal] ?? 15));
    };
    for (const signal of exitSignals) process.on(signal, onSignal);
    process.on("exit", remove);
    try {
        try {
            git(root, ["worktree", "add", "--detach", "--quiet", dir, commit]);
        } catch (err) {
            const detail = (err as { stderr?: string }).stderr?.trim() || (err as Error).message;
            throw new GitError(`cannot check out ${commit} in a temporary worktree: ${detail}`);
        }
        return await work(dir);
    } finally {
        for (const signal of exitSignals) process.off(signal, onSignal);
        process.off("exit", remove);
        remove();
    }
}

const lockfiles = ["package-lock.json", "npm-shrinkwrap.json"];

/** The folder holding the lockfile nearest `dir`, between it and `root`. */
function lockfileDir(dir: string, root: string): { dir: string; file: string } | undefined {
    for (let at = dir; ; at = path.dirname(at)) {
        const file = lockfiles.find((f) => fs.existsSync(path.join(at, f)));
        if (file) return { dir: at, file };
        if (at === root || path.dirname(at) === at) return undefined;
    }
}

export type Installer = (dir: string) => Promise<void>;

/** `npm ci` in `dir`, its output on standard error (standard output is the report's). */
export const npmCi: Installer = (dir) =>
    new Promise((resolve, reject) => {
        const child = spawn("npm", ["ci", "--no-audit", "--no-fund", "--prefer-offline"], { cwd: dir, stdio: ["ignore", process.stderr, process.stderr] });
        child.on("error", (err) => reject(new GitError(`npm ci in ${dir} could not start: ${err.message}`)));
        child.on("exit", (code) => (code === 0 ? resolve() : reject(new GitError(`npm ci in the base's ${dir} failed (exit ${code}): its package-lock.json cannot be installed`))));
    });

export interface BaseDependencies {
    /** `linked`: the working tree's node_modules; `installed`: the base's own, by `npm ci`. */
    mode: "linked" | "installed" | "none";
    dir?: string;
}

/**
 * Gives the base tree the dependencies of the project in `projectDir` (the working tree's
 * project folder): the working tree's node_modules, linked, when the base's lockfile is the
 * same byte for byte (or the base has none); else the base's own through `install`.
 */
export async function prepareDependencies(root: string, projectDir: string, baseRoot: string, install: Installer = npmCi): Promise<BaseDependencies> {
    const lock = lockfileDir(projectDir, root);
    const here = lock?.dir ?? projectDir;
    const there = path.join(baseRoot, path.relative(root, here));
    const modules = path.join(here, "node_modules");
    if (!fs.existsSync(there)) return { mode: "none" };
    // A base without a lockfile there says nothing to install from: it uses the working tree's.
    const baseLock = lock && path.join(there, lock.file);
    if (lock && baseLock && fs.existsSync(baseLock) && !fs.readFileSync(baseLock).equals(fs.readFileSync(path.join(here, lock.file)))) {
        await install(there);
        return { mode: "installed", dir: there };
    }
    if (!fs.existsSync(modules)) {
        throw new GitError(`the working tree has no node_modules in ${here}: install its dependencies first (npm ci)`);
    }
    fs.symlinkSync(fs.realpathSync(modules), path.join(there, "node_modules"), "dir");
    return { mode: "linked", dir: there };
}
