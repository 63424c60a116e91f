/**
 * The real `migration` entry (bin/migration.js) as a user runs it: help, the version and a
 * mistake are answered at once, from the command table, with the messages a user acts on.
 * The only test that spawns the CLI for its messages; each run answers before any TypeScript
 * is compiled.
 */
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { projectDir } from "../harness";

const version = (require("../../package.json") as { version: string }).version;

function migration(...argv: string[]) {
    const started = performance.now();
    const result = spawnSync(process.execPath, [path.join(projectDir, "bin/migration.js"), ...argv], { cwd: projectDir, encoding: "utf8" });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, ms: performance.now() - started };
}

describe("bin/migration.js", () => {
    it("--help lists every command and points at each command's help", () => {
        const { code, stdout, stderr, ms } = migration("--help");
        expect(code).toBe(0);
        expect(stderr).toBe("");
        expect(stdout).toMatch(/^Usage: migration <command> \[options\]/);
        for (const command of ["plan", "check", "export", "cost", "diff", "policy-config", "promote", "rollback", "status"]) {
            expect(stdout).toMatch(new RegExp(`^ {2}${command} +\\S`, "m"));
        }
        expect(stdout).toContain("`migration <command> --help`");
        // Answered without compiling TypeScript or loading any command (that takes seconds); generous for a loaded machine.
        expect(ms).toBeLessThan(2000);
    });

    it("plan --help shows plan's own options and an example", () => {
        const { code, stdout } = migration("plan", "--help");
        expect(code).toBe(0);
        expect(stdout).toMatch(/^Usage: migration plan \[options\]/);
        expect(stdout).toMatch(/^ {2}--stack NAME +the stack: NAME, or ORG\/NAME/m);
        expect(stdout).toMatch(/^ {2}--quiet +no progress/m);
        expect(stdout).toMatch(/^Examples:\n {2}migration plan --stack prod --phase 3$/m);
        expect(stdout).not.toContain("--gradual");
        expect(stdout.split("\n").every((line) => line.length <= 80)).toBe(true);
    });

    it("--version prints the package's version", () => {
        const { code, stdout } = migration("--version");
        expect(code).toBe(0);
        expect(stdout).toBe(`migration ${version}\n`);
    });

    it.each([
        [["plan", "--stak", "prod"], "migration: unknown option --stak for plan: did you mean --stack?\nrun `migration plan --help` for its options and an example\n"],
        [["paln", "--stack", "prod"], "migration: unknown command \"paln\": did you mean plan?\nrun `migration --help` for the commands\n"],
        [["rollback", "--stack", "prod", "--gradual", "--to", "1"], "migration: --to does not apply to rollback --gradual\nrun `migration rollback --help` for its options and an example\n"],
    ])("%j: one line naming the mistake, then where the help is; exit 2", (argv, message) => {
        const { code, stdout, stderr } = migration(...argv);
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr).toBe(message);
        expect(stderr).not.toContain("To specify a positional argument");
    });
});
