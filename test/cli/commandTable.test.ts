/** The command table: the one list of commands and options, its parser and its help texts. */
import { describe, expect, it } from "vitest";
import { maxPhase } from "../../domain/targets";
import { defaultJobTimeoutMs } from "../../tools/engine/pool";
import { checkStackName, readProject, stackFileOf } from "../../tools/engine/project";
import * as table from "../../tools/cli/commandTable";
import { projectDir } from "../harness";

function usageError(argv: string[]): string {
    try {
        table.parseCommandLine(argv);
    } catch (err) {
        return table.formatUsageError(err as InstanceType<typeof table.UsageError>);
    }
    throw new Error(`${argv.join(" ")} parsed`);
}

describe("command table", () => {
    it("holds the facts it repeats equal to their owners", () => {
        expect(table.maxPhase).toBe(maxPhase);
        expect(table.defaultEvalTimeoutSeconds * 1000).toBe(defaultJobTimeoutMs);
    });

    it("parses a command's options, before or after the command, with = or a separate value", () => {
        const parsed = table.parseCommandLine(["--stack", "prod", "plan", "--phase=2", "--quiet"]);
        expect(parsed).toMatchObject({ kind: "run", command: { name: "plan" }, values: { stack: "prod", phase: "2", quiet: true } });
    });

    it.each([
        [["plan", "--stak", "x"], "unknown option --stak for plan: did you mean --stack?"],
        [["plan", "--phse", "1"], "did you mean --phase?"],
        [["chek"], 'unknown command "chek": did you mean check?'],
        [["stauts", "--stack", "dev"], "did you mean status?"],
        [["plan", "--format", "jsno"], "--format jsno: expected text, markdown, json or sarif; did you mean json?"],
        [["cost", "--format", "sarif"], "--format sarif: expected text, markdown or json"],
        [["plan", "--phase", "4"], '--phase 4: expected an integer from 0 to 3, or "all"'],
        [["plan", "--stack"], "--stack needs a value: --stack NAME"],
        [["plan", "--stack", "a/b/c/d"], '--stack: stack name "a/b/c/d" is not valid: expected NAME, ORG/NAME or ORG/PROJECT/NAME'],
        [["plan", "--eval-timeout", "0"], "--eval-timeout 0: expected a whole number of seconds, at least 1"],
        [["plan", "extra"], 'unexpected argument "extra": plan takes options only'],
        [["plan", "--base", "HEAD"], "--base does not apply to plan (an option of diff)"],
        [["promote", "--stack", "dev"], "promote needs --to N: the next phase"],
        [["rollback", "--stack", "dev", "--abort"], "--abort does not apply to rollback without --gradual"],
        [["status", "--stack", "dev", "--quiet=yes"], "--quiet does not apply to status"],
    ])("%j is answered in one line and a pointer to the help", (argv, message) => {
        const text = usageError(argv);
        expect(text).toMatch(/^migration: /);
        expect(text).toContain(message);
        expect(text.trimEnd().split("\n")).toHaveLength(2);
        expect(text).toMatch(/\nrun `migration (\S+ )?--help` for/);
    });

    it("answers help and the version without running anything", () => {
        expect(table.answerWithoutRunning(["--help"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Commands:") });
        expect(table.answerWithoutRunning(["help", "diff"])).toMatchObject({ code: 0, stdout: expect.stringContaining("Usage: migration diff") });
        expect(table.answerWithoutRunning(["-V"])).toMatchObject({ code: 0, stdout: `migration ${table.version()}\n` });
        expect(table.answerWithoutRunning(["plan", "--stack", "dev"])).toBeUndefined();
    });

    it("generates every command's help from the table: each option once, wrapped to 80 columns", () => {
        for (const command of table.commands) {
            const help = table.commandHelp(command);
            for (const option of Object.keys(command.options)) expect(help.match(new RegExp(`^ {2}--${option}(?= |$)`, "gm"))).toHaveLength(1);
            expect(help).toMatch(/^Examples?:$/m);
            expect(help.split("\n").filter((l) => l.length > 80)).toEqual([]);
        }
    });
});

describe("organisation-qualified stack names", () => {
    const project = readProject(projectDir);
    it.each([
        ["prod", "prod"],
        ["acme/prod", "prod"],
        ["acme/gcp-databricks-migration/prod", "prod"],
    ])("%s is stack %s, its file Pulumi.%s.yaml", (given, name) => {
        expect(checkStackName(given, project)).toBe(name);
        expect(stackFileOf(project, given)).toBe(`${project.stackConfigDir}/Pulumi.${name}.yaml`);
    });

    it("refuses a qualified name of another project", () => {
        expect(() => checkStackName("acme/other/prod", project)).toThrow(/names project "other"; this project .* is "gcp-databricks-migration"/);
    });
});
