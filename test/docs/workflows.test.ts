/**
 * The GitHub workflows are valid YAML, run on the events they are for, and use only commands
 * this project has: every `npx migration <command> --option` is in the CLI's command table, every
 * `npm run <script>` is in package.json.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { commandNames, findCommand, optionNames } from "../../tools/cli/commandTable";
import { projectDir } from "../harness";

const workflowsDir = path.join(projectDir, ".github", "workflows");
const files = fs.readdirSync(workflowsDir).filter((f) => /\.ya?ml$/.test(f));

interface Step {
    run?: string;
    uses?: string;
    with?: Record<string, unknown>;
    if?: string;
}
interface Job {
    steps: Step[];
    environment?: string | { name: string };
    needs?: string | string[];
    if?: string;
}
interface Workflow {
    on: Record<string, unknown>;
    jobs: Record<string, Job>;
}

function load(file: string): Workflow {
    return parse(fs.readFileSync(path.join(workflowsDir, file), "utf8")) as Workflow;
}

/** The CLI's commands and options, from its command table. */
function cliSurface(): { commands: Set<string>; options: Set<string> } {
    return { commands: new Set(commandNames()), options: new Set(optionNames()) };
}

/** Shell commands of every step, one logical line each (continuations joined). */
function commandLines(workflow: Workflow): string[] {
    return Object.values(workflow.jobs)
        .flatMap((job) => job.steps.map((s) => s.run ?? ""))
        .flatMap((run) => run.replace(/\\\n/g, " ").split("\n"))
        .map((line) => line.trim())
        .filter(Boolean);
}

const scripts = (JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("GitHub workflows", () => {
    it("are the pull-request and deploy workflows", () => {
        expect(files.sort()).toEqual(["deploy.yml", "pull-request.yml"]);
    });

    it("read the CLI's command table as expected", () => {
        const { commands, options } = cliSurface();
        expect([...commands].sort()).toEqual(expect.arrayContaining(["check", "cost", "export", "plan"]));
        expect([...options]).toEqual(expect.arrayContaining(["--stack", "--format", "--out"]));
    });

    for (const file of files) {
        describe(file, () => {
            const workflow = load(file);
            const lines = commandLines(workflow);

            it("is valid YAML with jobs of steps", () => {
                expect(Object.keys(workflow.jobs).length).toBeGreaterThan(0);
                for (const job of Object.values(workflow.jobs)) expect(Array.isArray(job.steps)).toBe(true);
            });

            it("uses only `npx migration` commands and options that exist", () => {
                const { commands, options } = cliSurface();
                expect(lines.some((l) => l.startsWith("npx migration"))).toBe(true);
                for (const line of lines.filter((l) => l.startsWith("npx migration"))) {
                    const args = line.slice("npx migration".length).trim().split(/\s+/);
                    expect(commands.has(args[0]), `${file}: ${line}`).toBe(true);
                    const own = [...Object.keys(findCommand(args[0])?.options ?? {}).map((o) => `--${o}`), "--help"];
                    for (const arg of args.filter((a) => a.startsWith("--"))) {
                        expect(options.has(arg) && own.includes(arg), `${file}: ${arg} in ${line}`).toBe(true);
                    }
                    const format = args[args.indexOf("--format") + 1];
                    if (args.includes("--format")) expect(["text", "markdown", "json", "sarif"]).toContain(format);
                }
            });

            it("uses only npm scripts that exist", () => {
                for (const line of lines) {
                    for (const m of line.matchAll(/npm run ([a-z:-]+)/g)) expect(scripts[m[1]], `${file}: ${line}`).toBeDefined();
                    if (/\bnpm test\b/.test(line)) expect(scripts.test).toBeDefined();
                }
            });

            it("uses only stacks the project has", () => {
                for (const line of lines) {
                    for (const m of line.matchAll(/--stack ([a-z0-9-]+)/g)) {
                        expect(fs.existsSync(path.join(projectDir, `Pulumi.${m[1]}.yaml`)), `${file}: ${line}`).toBe(true);
                    }
                }
            });
        });
    }

    describe("pull-request.yml", () => {
        const workflow = load("pull-request.yml");
        const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
        const lines = commandLines(workflow);

        it("runs on pull requests: npm ci, npm test, the check of both stacks as SARIF, the markdown plan", () => {
            expect(Object.keys(workflow.on)).toContain("pull_request");
            expect(lines).toContain("npm ci --no-audit --no-fund");
            expect(lines).toContain("npm test");
            const check = lines.find((l) => l.startsWith("npx migration check"))!;
            expect(check).toMatch(/--format sarif --out migration-\$\{\{ matrix.stack \}\}.sarif/);
            expect(workflow.jobs.check).toBeDefined();
            expect((workflow.jobs.check as unknown as { strategy: { matrix: { stack: string[] } } }).strategy.matrix.stack).toEqual(["dev", "prod"]);
            for (const stack of ["dev", "prod"]) expect(lines).toContain(`npx migration plan --stack ${stack} --format markdown --out plan-${stack}.md`);
        });

        it("uploads the SARIF even when the check fails, posts the diff as one sticky comment, keeps the plans as an artifact", () => {
            const upload = steps.find((s) => s.uses?.startsWith("github/codeql-action/upload-sarif"))!;
            expect(upload.if).toMatch(/always\(\)/);
            expect(lines).toContain("npx migration diff --base HEAD^1 --format markdown --out diff-comment.md");
            const comment = steps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment"))!;
            expect(comment.with?.path).toBe("diff-comment.md");
            const artifact = steps.find((s) => s.uses?.startsWith("actions/upload-artifact"))!;
            expect(String(artifact.with?.path)).toMatch(/plan-dev\.md\s+plan-prod\.md/);
        });

        it("previews each stack with the policy pack only when credentials are configured", () => {
            const preview = workflow.jobs.preview;
            expect(preview.if).toBe("needs.credentials.outputs.configured == 'true'");
            const pulumi = preview.steps.find((s) => s.uses?.startsWith("pulumi/actions"))!;
            expect(pulumi.with?.command).toBe("preview");
            expect(pulumi.with?.policyPacks).toBe("policies");
            expect(fs.existsSync(path.join(projectDir, "policies", "PulumiPolicy.yaml"))).toBe(true);
        });
    });

    describe("deploy.yml", () => {
        const workflow = load("deploy.yml");

        it("runs pulumi up on merge to main, dev first, prod behind its environment", () => {
            expect((workflow.on.push as { branches: string[] }).branches).toEqual(["main"]);
            for (const stack of ["dev", "prod"]) {
                const job = workflow.jobs[stack];
                expect(job.environment).toBe(stack);
                const up = job.steps.find((s) => s.uses?.startsWith("pulumi/actions"))!;
                expect(up.with?.command).toBe("up");
                expect(String(up.with?.["stack-name"])).toContain(stack);
            }
            expect(workflow.jobs.prod.needs).toBe("dev");
        });
    });
});
