/**
 * A temporary git repository holding test/fixtures/diff-project, for the diff's end-to-end
 * tests: commit, edit, commit again. Its node_modules is this checkout's, linked and ignored.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { projectDir } from "../harness";

const fixture = path.join(projectDir, "test/fixtures/diff-project");

const gitEnv = {
    ...process.env,
    GIT_AUTHOR_NAME: "diff test",
    GIT_AUTHOR_EMAIL: "diff-test@example.com",
    GIT_COMMITTER_NAME: "diff test",
    GIT_COMMITTER_EMAIL: "diff-test@example.com",
};

export class TempRepo {
    readonly dir: string;

    constructor() {
        this.dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "migration-diff-test-")));
        fs.cpSync(fixture, this.dir, { recursive: true });
        fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(this.dir, "node_modules"), "dir");
        fs.writeFileSync(path.join(this.dir, ".gitignore"), "node_modules\n");
        this.git("init", "--quiet", "--initial-branch=main");
    }

    git(...args: string[]): string {
        return execFileSync("git", args, { cwd: this.dir, env: gitEnv, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    }

    /** Replaces `from` by `to` in a file, failing when `from` is not there (the fixture changed). */
    edit(file: string, from: string | RegExp, to: string): void {
        const target = path.join(this.dir, file);
        const text = fs.readFileSync(target, "utf8");
        const next = text.replace(from, to);
        if (next === text) throw new Error(`${file}: ${String(from)} not found`);
        fs.writeFileSync(target, next);
    }

    write(file: string, text: string): void {
        fs.writeFileSync(path.join(this.dir, file), text);
    }

    commit(message: string): string {
        this.git("add", "--all");
        this.git("commit", "--quiet", "-m", message);
        return this.git("rev-parse", "HEAD");
    }

    /** Worktrees git knows of, the repository's own included. */
    worktrees(): string[] {
        return this.git("worktree", "list", "--porcelain")
            .split("\n")
            .filter((l) => l.startsWith("worktree "))
            .map((l) => l.slice("worktree ".length));
    }

    remove(): void {
        fs.rmSync(this.dir, { recursive: true, force: true });
    }
}

/** Temporary directories a diff would leave behind. */
export function leftoverBaseTrees(): string[] {
    return fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith("migration-diff-") && !f.startsWith("migration-diff-test-"));
}
