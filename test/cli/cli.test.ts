import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRelativePath } from "../../tools/report/formatSarif";
import { main } from "../../tools/cli/main";
import { sharedPack } from "../sharedPack";
import { fromStackExport, StackExport } from "../../tools/engine/deployment";
import { evaluationCacheVariable } from "../../tools/engine/evaluationCache";
import { runJobs } from "../../tools/engine/pool";
import { PlanReport } from "../../tools/report/report";
import { projectDir } from "../harness";

const plainProject = path.join(projectDir, "test/fixtures/plain-project");

async function run(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, undefined, { packs: sharedPack });
    return { code, stdout, stderr };
}

function tempDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), "migration-cli-"));
}

function pythonProject(): string {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: py\nruntime: python\n");
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
    return dir;
}

describe("migration plan, phase 0 of this project", () => {
    let json: PlanReport;
    beforeAll(async () => {
        const result = await run("plan", "--stack", "prod", "--phase", "0", "--format", "json", "--cwd", projectDir, "--policy-pack", "none");
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        json = JSON.parse(result.stdout);
    });

    it("reports the project, stack and phase with its deployment in stack-export shape", () => {
        expect(json).toMatchObject({ project: "gcp-databricks-migration", stack: "prod", policyPack: null });
        expect(json.phases).toHaveLength(1);
        const [phase] = json.phases;
        expect(phase).toMatchObject({ phase: 0, name: "Pre-transition", violations: [] });
        expect(phase.deployment.manifest.version).toMatch(/^v3\./);
        const dataset = phase.deployment.resources.find((r) => r.type === "gcp:bigquery/dataset:Dataset")!;
        expect(dataset).toMatchObject({ protect: true, retainOnDelete: true, custom: true });
        for (const r of phase.deployment.resources) {
            expect(Object.keys(r)).toEqual(expect.arrayContaining(["urn", "type", "custom", "inputs", "protect", "retainOnDelete", "dependencies"]));
        }
    });

    it("renders a pulumi-preview-like tree in text", async () => {
        const { code, stdout } = await run("plan", "--stack", "dev", "--phase", "0", "--cwd", projectDir, "--policy-pack", "none");
        expect(code).toBe(0);
        expect(stdout).toContain("Phase 0 · Pre-transition · stack dev");
        expect(stdout).toMatch(/ \+ {3}├─ migration:gcp:Network\s+ml\s+create/);
        expect(stdout).toMatch(/ \+ {3}│ {2}├─ gcp:compute:Network\s+ml-vpc\s+create/);
        expect(stdout).toMatch(/Resources: \+ \d+ to create/);
    });

    it("renders markdown for a pull-request comment and SARIF for code scanning", async () => {
        const md = await run("plan", "--stack", "dev", "--phase", "0", "--format", "markdown", "--cwd", projectDir, "--policy-pack", "none");
        expect(md.stdout).toMatch(/^## Migration plan: `gcp-databricks-migration` \/ `dev`/);
        expect(md.stdout).toMatch(/\| 0 Pre-transition \| \d+ \| new stack \| — \|/);
        const sarif = JSON.parse((await run("plan", "--stack", "dev", "--phase", "0", "--format", "sarif", "--cwd", projectDir, "--policy-pack", "none")).stdout);
        expect(sarif.version).toBe("2.1.0");
        expect(sarif.runs[0].tool.driver.name).toBe("migration");
        expect(sarif.runs[0].results).toEqual([]);
    });
});

describe("migration cost", () => {
    it("gives every planned phase a cost summary in the plan JSON, phase 0 being the baseline", async () => {
        const { stdout } = await run("plan", "--stack", "prod", "--phase", "0", "--format", "json", "--cwd", projectDir, "--policy-pack", "none");
        const [phase] = (JSON.parse(stdout) as PlanReport).phases;
        expect(Object.keys(phase.cost!).sort()).toEqual(
            ["baselineRatio", "databricksMonthlyUsd", "gcpMonthlyUsd", "monthlyUsd", "perTrainingBasis", "perTrainingRatio", "perTrainingUsd", "unpriced"].sort(),
        );
        expect(phase.cost!.gcpMonthlyUsd).toBeGreaterThan(0);
        expect(phase.cost!.monthlyUsd).toBe(phase.cost!.gcpMonthlyUsd + phase.cost!.databricksMonthlyUsd);
        expect(phase.cost!.baselineRatio).toBeNull();
        expect(phase.cost!.unpriced).toEqual([]);
    });

    it("prints the breakdown per resource", async () => {
        const { code, stdout } = await run("cost", "--stack", "prod", "--phase", "0", "--cwd", projectDir);
        expect(code).toBe(0);
        expect(stdout).toMatch(/h100-on-demand\s+gcp:NodePool\s+gcp\s+0\s+\$[\d,.]+/);
        expect(stdout).toMatch(/Per training run \$[\d,.]+/);
    });

    it("accepts an organisation-qualified stack name: acme/prod is stack prod, its file Pulumi.prod.yaml", async () => {
        const { code, stdout, stderr } = await run("cost", "--stack", "acme/prod", "--phase", "0", "--cwd", projectDir, "--format", "json");
        expect(stderr).toBe("");
        expect(code).toBe(0);
        expect(JSON.parse(stdout)).toMatchObject({ stack: "prod", phases: [{ phase: 0 }] });
    });

    it("prices a project without phases as configured, with no baseline to compare with", async () => {
        const { code, stdout, stderr } = await run("cost", "--cwd", plainProject, "--stack", "dev", "--format", "json");
        expect(stderr).toBe("");
        expect(code).toBe(0);
        const [only] = JSON.parse(stdout).phases;
        expect(only.phase).toBeNull();
        expect(only.estimate.baselineRatio).toBeNull();
        expect(only.estimate.notModelled).toEqual({ "gcp:pubsub/topic:Topic": 2 });
    });
});

describe("secrets", () => {
    const stack = `secret${process.pid}`;
    const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);
    beforeAll(() => {
        const dev = fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(stackFile, `${dev}  migration:gcpCredentials:\n    secure: v1:AAAA-ciphertext-of-a-key\n`);
    });
    afterAll(() => fs.rmSync(stackFile, { force: true }));

    it("never appear in a report: a secure value is a secret marker in the graph, in every format", async () => {
        for (const format of ["json", "text", "markdown"]) {
            const { code, stdout } = await run("plan", "--stack", stack, "--phase", "0", "--format", format, "--cwd", projectDir, "--policy-pack", "none");
            expect(code).toBe(0);
            expect(stdout).not.toContain("ciphertext-of-a-key");
        }
        const { stdout } = await run("export", "--stack", stack, "--phase", "0", "--cwd", projectDir);
        const provider = (JSON.parse(stdout) as StackExport).deployment.resources.find((r) => r.type === "pulumi:providers:gcp")!;
        expect(provider.inputs.credentials).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: '"[secret]"' });
    }, 180_000);
});

describe("nested secrets", () => {
    /** The text with every secret envelope removed: what is left must hold neither the ciphertext nor the placeholder. */
    const outsideEnvelopes = (text: string) => text.replace(/\{\s*"4dabf18193072939515e22adb298388d":\s*"1b47061264138c4ac30d75fd1eb44270",\s*"(?:plaintext|ciphertext)":\s*"(?:\\"\[secret\]\\"|\[secret\])"\s*\}/g, "{}");

    it("never appear in any output: a nested secure value is a secret, never its ciphertext", async () => {
        for (const format of ["text", "json", "markdown", "sarif"]) {
            const { code, stdout, stderr } = await run("plan", "--cwd", plainProject, "--stack", "nested", "--format", format, "--policy-pack", "none");
            expect(code, stderr).toBe(0);
            expect(stdout).not.toContain("CIPHERTEXT");
            expect(outsideEnvelopes(stdout)).not.toContain("[secret]");
        }
        const exported = await run("export", "--cwd", plainProject, "--stack", "nested");
        expect(exported.code).toBe(0);
        expect(exported.stdout).not.toContain("CIPHERTEXT");
        expect(outsideEnvelopes(exported.stdout)).not.toContain("[secret]");
        const topic = (JSON.parse(exported.stdout) as StackExport).deployment.resources.find((r) => r.urn.endsWith("::db"))!;
        expect(topic.inputs.labels).toEqual({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", plaintext: '"[secret]"' });
    }, 180_000);

    it("refuses a secret in the policy config, naming where it is and not what it holds", async () => {
        const stack = `nestedpolicy${process.pid}`;
        const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
        const dev = fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8");
        expect(dev).toContain("  migration:policyConfig:\n");
        fs.writeFileSync(
            file,
            dev.replace("  migration:policyConfig:\n", "  migration:policyConfig:\n    daily-cost-alert:\n      maxDailyCostUsd:\n        secure: v1:POLICY-CIPHERTEXT\n"),
        );
        try {
            const { code, stdout, stderr } = await run("policy-config", "--stack", stack, "--cwd", projectDir);
            expect(code).toBe(2);
            expect(stdout).toBe("");
            expect(stderr).toContain("migration:policyConfig holds a secret (at daily-cost-alert.maxDailyCostUsd)");
            expect(stderr).not.toContain("CIPHERTEXT");
        } finally {
            fs.rmSync(file, { force: true });
        }
    });
});

describe("migration policy-config", () => {
    it("writes the pack config of the stack's configured phase: its own policy config, the phase and the cost baseline", async () => {
        const { code, stdout } = await run("policy-config", "--stack", "dev", "--cwd", projectDir);
        expect(code).toBe(0);
        const config = JSON.parse(stdout);
        // dev's migration:policyConfig keeps the cost ratios as advice; the CLI adds what the policy needs.
        expect(config["cost-ratio-targets"]).toMatchObject({ enforcementLevel: "advisory", phase: 0, cost: {} });
        expect(config["cost-ratio-targets"].baseline.monthlyUsd).toBeGreaterThan(0);
        expect(config["cost-ratio-forecast"]).toEqual({ phase: 0, cost: {}, baseline: config["cost-ratio-targets"].baseline });
        expect(config["promotion-gate"]).toBeUndefined();
    });
});

describe("migration export", () => {
    it("writes a deployment v3 stack export that reads back into the same graph", async () => {
        const dir = tempDir();
        const out = path.join(dir, "prod.json");
        const { code } = await run("export", "--stack", "prod", "--phase", "0", "--cwd", projectDir, "--out", out);
        expect(code).toBe(0);
        const doc = JSON.parse(fs.readFileSync(out, "utf8")) as StackExport;
        expect(doc.version).toBe(3);
        const graph = fromStackExport(doc, "gcp-databricks-migration", "prod");
        const again = fromStackExport(JSON.parse(JSON.stringify(doc)), "gcp-databricks-migration", "prod");
        expect(again).toEqual(graph);
        expect(graph.resources.find((r) => r.type === "gcp:container/cluster:Cluster")?.inputs).toMatchObject({
            privateClusterConfig: { enablePrivateNodes: true },
        });
        expect(fs.readdirSync(dir)).toEqual(["prod.json"]);
    });

    it("exports the stack as its file configures it when no phase is given, and refuses --phase all", async () => {
        const { code, stdout, stderr } = await run("export", "--stack", "prod", "--cwd", projectDir);
        expect(stderr).toBe("");
        expect(code).toBe(0);
        const graph = fromStackExport(JSON.parse(stdout), "gcp-databricks-migration", "prod");
        // Pulumi.prod.yaml configures phase 0: no Databricks resource.
        expect(graph.outputs.phase).toBe(0);
        expect(graph.resources.some((r) => r.type.startsWith("databricks:"))).toBe(false);
        const all = await run("export", "--stack", "prod", "--phase", "all", "--cwd", projectDir);
        expect(all.code).toBe(2);
        expect(all.stderr).toContain("export writes one graph: --phase N, or no --phase for the stack as configured");
    });
});

describe("any Pulumi TypeScript project", () => {
    it("checks with no policy on purpose, and says so", async () => {
        const { code, stdout } = await run("check", "--cwd", plainProject, "--stack", "dev", "--policy-pack", "none");
        expect(code).toBe(0);
        expect(stdout).toContain("Policies: none ran (--policy-pack none)");
    });

    it("plans a project without phases as configured", async () => {
        const { code, stdout } = await run("plan", "--cwd", plainProject, "--stack", "dev");
        expect(code).toBe(0);
        expect(stdout).toContain("Stack as configured · stack dev · 3 resources");
        expect(stdout).toMatch(/gcp:pubsub:Topic\s+topic-1\s+create/);
    });

    it("runs a program with top-level resources again in the same worker", async () => {
        // Both evaluations must really run, one after the other in one worker: no cached graph.
        const cacheDir = process.env[evaluationCacheVariable];
        delete process.env[evaluationCacheVariable];
        try {
            const started: string[] = [];
            const job = (id: string) => ({ id, projectDir: plainProject, stack: "dev", overrides: {} });
            const results = await runJobs([job("a"), job("b")], { concurrency: 1, onJob: (id, state) => state === "started" && started.push(id) });
            expect(started).toEqual(["a", "b"]);
            for (const id of ["a", "b"]) {
                const result = results.get(id)!;
                expect(result.ok).toBe(true);
                if (result.ok) expect(result.graph.resources.filter((r) => r.type === "gcp:pubsub/topic:Topic")).toHaveLength(2);
            }
        } finally {
            if (cacheDir !== undefined) process.env[evaluationCacheVariable] = cacheDir;
        }
    });
});

describe("SARIF locations", () => {
    it("are relative to the repository root, wherever the project and the working directory are", () => {
        const repo = tempDir();
        fs.mkdirSync(path.join(repo, ".git"));
        const file = path.join(repo, "infra", "my stacks", "Pulumi.dev.yaml");
        expect(repoRelativePath(file, "/")).toBe("infra/my%20stacks/Pulumi.dev.yaml");
        // A worktree marks its root with a .git file.
        const worktree = tempDir();
        fs.writeFileSync(path.join(worktree, ".git"), "gitdir: /elsewhere\n");
        expect(repoRelativePath(path.join(worktree, "Pulumi.prod.yaml"), "/tmp")).toBe("Pulumi.prod.yaml");
        // Outside a repository: relative to the working directory.
        const loose = tempDir();
        expect(repoRelativePath(path.join(loose, "p", "Pulumi.dev.yaml"), loose)).toBe("p/Pulumi.dev.yaml");
    });
});

describe("bad input: exit 2, one clear message, no report file", () => {
    const stackFile = path.join(projectDir, `Pulumi.badconfig${process.pid}.yaml`);
    const stack = `badconfig${process.pid}`;
    const policyStack = `badpolicy${process.pid}`;
    const policyStackFile = path.join(projectDir, `Pulumi.${policyStack}.yaml`);
    beforeAll(() => {
        const dev = fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8");
        fs.writeFileSync(stackFile, dev.replace("spotShare: 1", "spotShare: 1.5"));
        fs.writeFileSync(
            policyStackFile,
            dev.replace("  migration:policyConfig:\n", '  migration:policyConfig:\n    no-such-policy: advisory\n    daily-cost-alert:\n      maxDailyCostUsd: "a lot"\n'),
        );
    });
    afterAll(() => {
        fs.rmSync(stackFile, { force: true });
        fs.rmSync(policyStackFile, { force: true });
    });

    it.each([
        ["a missing Pulumi.yaml", () => ["plan", "--cwd", tempDir()], /no Pulumi\.yaml in/],
        ["an unknown stack", () => ["plan", "--cwd", plainProject, "--stack", "qa"], /unknown stack "qa": no Pulumi\.qa\.yaml .*\(stacks: broken, dev, nested\)/],
        ["an exception in the program", () => ["plan", "--cwd", plainProject, "--stack", "broken"], /the program failed for stack "broken": the program was told to fail/],
        ["a config error", () => ["plan", "--cwd", projectDir, "--stack", stack, "--phase", "0", "--policy-pack", "none"], /migration:h100\.spotShare = 1\.5: expected a number from 0 to 1/],
        ["an unknown option", () => ["plan", "--stak", "dev"], /unknown option --stak for plan: did you mean --stack\?\nrun `migration plan --help`/],
        ["an unknown format", () => ["plan", "--format", "html"], /--format html: expected text, markdown, json or sarif/],
        ["a missing policy pack", () => ["check", "--cwd", plainProject, "--policy-pack", "/nonexistent"], /--policy-pack \/nonexistent: no PulumiPolicy\.yaml/],
        ["check without a pack", () => ["check", "--cwd", plainProject], /check needs a policy pack: .*plain-project\/policies has no PulumiPolicy\.yaml; pass --policy-pack DIR, or --policy-pack none/],
        ["--phase on a stack without phases", () => ["plan", "--cwd", plainProject, "--phase", "1"], /--phase 1: stack "dev" does not set migration:phase, the config key that selects a phase/],
        ["a stack name that is a path", () => ["plan", "--cwd", plainProject, "--stack", "/../../x"], /--stack: stack name "\/\.\.\/\.\.\/x" is not valid: expected NAME, ORG\/NAME or ORG\/PROJECT\/NAME/],
        ["a project of another runtime", () => ["plan", "--cwd", pythonProject()], /runtime = "python"; the offline engine runs Node\.js programs/],
        [
            "a --phase-key the stack does not set",
            () => ["plan", "--cwd", projectDir, "--stack", "dev", "--phase-key", "migration:phse", "--policy-pack", "none"],
            /--phase-key migration:phse: stack "dev" does not set it; expected a config key the stack sets to its phase \(keys with a whole-number value: .*migration:phase/,
        ],
        [
            "policy config that check would refuse",
            () => ["policy-config", "--cwd", projectDir, "--stack", policyStack],
            /invalid policy config for gcp-databricks-migration:\n {2}- "no-such-policy": no such policy in gcp-databricks-migration\n {2}- daily-cost-alert\.maxDailyCostUsd = "a lot": /,
        ],
        ["a qualified stack name of another project", () => ["plan", "--cwd", projectDir, "--stack", "acme/other/prod"], /--stack|stack "acme\/other\/prod" names project "other"/],
    ])("%s", async (_, argv, message) => {
        const dir = tempDir();
        const out = path.join(dir, "report.txt");
        const { code, stderr, stdout } = await run(...argv(), "--out", out);
        expect(code).toBe(2);
        expect(stderr).toMatch(message);
        expect(stderr.match(/^migration: /gm)).toHaveLength(1);
        expect(stdout).toBe("");
        expect(fs.readdirSync(dir)).toEqual([]);
    });

    it.each([
        ["into a missing folder", (dir: string) => path.join(dir, "missing", "report.txt"), /--out .*: no directory .*missing; create it first/],
        ["onto a folder", (dir: string) => dir, /--out .*: .* is a directory; expected a file path/],
        ["into a read-only folder", (dir: string) => (fs.chmodSync(dir, 0o555), path.join(dir, "report.txt")), /--out .*: .* is not writable/],
    ])("refuses --out %s before any work", async (what, out, message) => {
        if (what === "into a read-only folder" && process.getuid?.() === 0) {
            // root writes through a read-only mode: the check is the same access(2) call a user gets refused by.
            return;
        }
        const dir = tempDir();
        const started = performance.now();
        const { code, stderr } = await run("plan", "--cwd", projectDir, "--stack", "prod", "--out", out(dir));
        expect(code).toBe(2);
        expect(stderr).toMatch(message);
        expect(stderr).not.toContain(".tmp");
        expect(stderr).not.toContain("Usage:");
        // Refused while reading the command line: no program was evaluated (that takes seconds).
        expect(performance.now() - started).toBeLessThan(1500);
    });

    it("keeps an existing report when a run fails", async () => {
        const dir = tempDir();
        const out = path.join(dir, "report.txt");
        fs.writeFileSync(out, "previous report\n");
        const { code } = await run("plan", "--cwd", plainProject, "--stack", "broken", "--out", out);
        expect(code).toBe(2);
        expect(fs.readFileSync(out, "utf8")).toBe("previous report\n");
        expect(fs.readdirSync(dir)).toEqual(["report.txt"]);
    });
});
