/**
 * `migration diff` end to end, in a temporary repository holding a small migration-shaped
 * project and a JavaScript policy pack (test/fixtures/diff-project): a base commit, then a
 * change that resizes the GPU pool, adds a table, removes a job, tightens the pack's pool
 * limit and leaves the README alone.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../tools/cli/main";
import { renderDiff, runDiff } from "../../tools/diff/cli";
import { DiffReport } from "../../tools/diff/report";
import { projectDir } from "../harness";
import { leftoverBaseTrees, TempRepo } from "./tempRepo";

async function run(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
    return { code, stdout, stderr };
}

const nodePool = "gcp:container/nodePool:NodePool";

describe("migration diff between two commits", () => {
    const repo = new TempRepo();
    const leftBefore = new Set(leftoverBaseTrees());
    let broken: string;
    let base: string;
    let report: DiffReport;
    let code: number;

    beforeAll(async () => {
        repo.write("Pulumi.dev.yaml", "config: [unclosed\n");
        broken = repo.commit("a stack file that is not YAML");
        fs.cpSync(path.join(projectDir, "test/fixtures/diff-project/Pulumi.dev.yaml"), path.join(repo.dir, "Pulumi.dev.yaml"));
        base = repo.commit("the base");

        repo.edit("Pulumi.dev.yaml", "fixture:poolMaxNodes: 4", "fixture:poolMaxNodes: 8");
        repo.edit("index.ts", '    table("events");', '    table("events");\n    table("features", "Model features, one row per example");');
        repo.edit("index.ts", /    new databricks\.Job\("legacy-export"[\s\S]*?\n {4}\}\);\n/, "");
        repo.edit("policies/index.js", "const maxPoolNodes = 10;", "const maxPoolNodes = 6;");
        repo.commit("the change");

        const result = await run("diff", "--base", "HEAD~1", "--cwd", repo.dir, "--format", "json");
        expect(result.stderr).toBe("");
        code = result.code;
        report = JSON.parse(result.stdout);
    }, 240_000);

    afterAll(() => repo.remove());

    it("names the base commit and the working tree", () => {
        // The change edits the pack, so the base is judged by its own.
        expect(report.base).toEqual({ ref: "HEAD~1", commit: base, dependencies: "linked", pack: "own" });
        expect(report.head).toMatchObject({ commit: repo.git("rev-parse", "HEAD"), dirty: false });
        expect(report.phase).toBe("configured");
        expect(report.stacks.map((s) => [s.stack, s.before.phase, s.after.phase])).toEqual([["dev", 1, 1]]);
    });

    it("reports the added table, the removed job and the resized pool with its property path", () => {
        const [dev] = report.stacks;
        expect(dev.counts).toMatchObject({ added: 1, removed: 1, changed: 1, replaced: 0, flagged: 0 });
        const byName = new Map(dev.resources.map((c) => [c.name, c]));
        expect(byName.get("features")).toMatchObject({ op: "create", type: "databricks:index/sqlTable:SqlTable" });
        expect(byName.get("legacy-export")).toMatchObject({ op: "delete", stateful: false });
        expect(byName.get("h100-training")).toMatchObject({
            op: "update",
            type: nodePool,
            properties: [{ path: "autoscaling.totalMaxNodeCount", kind: "update", old: 4, new: 8 }],
        });
        // The unchanged table, bucket and README do not appear.
        expect([...byName.keys()].sort()).toEqual(["features", "h100-training", "legacy-export"]);
    });

    it("prices both sides: totals, the resources that moved, ratios to each side's phase 0, per training", () => {
        const cost = report.stacks[0].cost!;
        expect(cost.before!.monthlyUsd).toBeGreaterThan(0);
        const moved = new Map(cost.resources.map((r) => [r.name, r]));
        expect(moved.get("h100-training")!.deltaUsd).toBeGreaterThan(0);
        expect(moved.get("legacy-export")).toMatchObject({ after: null });
        expect(moved.get("legacy-export")!.deltaUsd).toBeLessThan(0);
        const sum = cost.resources.reduce((n, r) => n + (r.deltaUsd ?? 0), 0);
        expect(sum).toBeCloseTo(cost.after!.monthlyUsd - cost.before!.monthlyUsd, 4);
        // Each side at phase 1 is measured against its own phase-0 evaluation.
        expect(cost.before!.baseline).not.toBeNull();
        expect(cost.after!.baselineRatio).toBeCloseTo(cost.after!.monthlyUsd / cost.after!.baseline!.monthlyUsd, 6);
        // One training run is priced at equal work on the GPUs it uses (migration:cost.training.gcpGpus),
        // not on every pool at its maximum: doubling the pool leaves it as it was.
        expect(cost.before!.perTrainingUsd).toBeGreaterThan(0);
        expect(cost.after!.perTrainingUsd).toBeCloseTo(cost.before!.perTrainingUsd!, 6);
    });

    it("sorts the pack's findings into new (the tightened limit), fixed (the removed job) and unchanged", () => {
        const policies = report.stacks[0].policies!;
        expect(policies.new.map((v) => [v.policy, v.enforcementLevel])).toEqual([["gpu-pool-size", "mandatory"]]);
        expect(policies.new[0].message).toContain("found 8 nodes, limit 6");
        expect(policies.fixed.map((v) => [v.policy, v.urn?.split("::").pop()])).toEqual([["job-owner-tag", "legacy-export"]]);
        expect(policies.unchanged.map((v) => [v.policy, v.urn?.split("::").pop()])).toEqual([["table-comment", "events"]]);
    });

    it("exits 1 for the new mandatory violation, and removes its temporary worktree", () => {
        expect(code).toBe(1);
        expect(report.verdict).toEqual({ exitCode: 1, newMandatory: 1, statefulDeletions: [] });
        expect(repo.worktrees()).toEqual([repo.dir]);
        expect(leftoverBaseTrees().filter((d) => !leftBefore.has(d))).toEqual([]);
    });

    it("renders text, a PR comment in markdown and SARIF of the new findings only", () => {
        const text = renderDiff(report, { format: "text", cwd: repo.dir }, "0.0.0");
        expect(text).toMatch(/^Diff of diff-fixture: working tree \([0-9a-f]{12}\) against HEAD~1 \([0-9a-f]{12}\)/);
        expect(text).toMatch(/Stack dev · phase 1 · \+ 1 to create, ~ 1 to update, - 1 to remove/);
        expect(text).toMatch(/ ~  gcp:container:NodePool {2}h100-training {2}update\n {8}~ autoscaling\.totalMaxNodeCount: 4 → 8/);
        expect(text).toMatch(/Cost: \$[\d,.]+ → \$[\d,.]+ a month \(\+\$[\d,.]+, \+[\d.]+%\)/);
        expect(text).toContain("Policies (policies): 1 new (1 mandatory), 1 fixed, 1 unchanged");
        expect(text).toContain("Verdict: FAILED · 1 new mandatory violation(s), 0 stateful resource(s) deleted or replaced");

        const md = renderDiff(report, { format: "markdown", cwd: repo.dir }, "0.0.0");
        const lines = md.split("\n");
        expect(lines[0]).toBe("## What this change does: `diff-fixture`");
        const table = lines.findIndex((l) => l.startsWith("| Stack |"));
        expect(table).toBeLessThan(lines.findIndex((l) => l.startsWith("<details>")));
        expect(lines[table + 2]).toMatch(/^\| dev \| 1 \| 1 \| 1 \| 0 \/ 0 \| 1 \| 0 \| \$.* → \$.* \| \d+%( → \d+%)? \| ❌ 1 new mandatory, 1 fixed \|$/);
        expect(md.match(/<details>/g)).toHaveLength(md.match(/<\/details>/g)!.length);
        expect(md).toContain("`~ autoscaling.totalMaxNodeCount: 4 → 8`");
        expect(md.length).toBeLessThan(65_536);
        expect(md).not.toContain("Trimmed");

        const sarif = JSON.parse(renderDiff(report, { format: "sarif", cwd: repo.dir }, "0.0.0"));
        expect(sarif.runs).toHaveLength(1);
        expect(sarif.runs[0].results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level])).toEqual([["diff-fixture/gpu-pool-size", "error"]]);
        expect(sarif.runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe("Pulumi.dev.yaml");
        // Located and fingerprinted as migration check does it, so code scanning tracks a finding across runs.
        expect(sarif.runs[0].results[0].locations[0].physicalLocation.region.startLine).toBeGreaterThanOrEqual(1);
        const again = JSON.parse(renderDiff(report, { format: "sarif", cwd: repo.dir }, "0.0.0"));
        expect(again.runs[0].results[0].partialFingerprints).toEqual(sarif.runs[0].results[0].partialFingerprints);
        expect(Object.values(sarif.runs[0].results[0].partialFingerprints as Record<string, string>)[0]).toMatch(/^[0-9a-f]{64}$/);
    });

    it("exits 1 for a stateful resource removed in the working tree, installing the base's own dependencies when the lockfile differs", async () => {
        repo.write("package-lock.json", '{"lockfileVersion": 3, "packages": {}}\n');
        repo.commit("a lockfile");
        repo.write("package-lock.json", '{"lockfileVersion": 3, "packages": {"": {"name": "changed"}}}\n');
        repo.edit("index.ts", /new gcp\.storage\.Bucket\("lake"[^\n]*\n/, "");
        const installed: string[] = [];
        const install = async (dir: string) => {
            installed.push(dir);
            fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(dir, "node_modules"), "dir");
        };
        const options = { cwd: repo.dir, base: "HEAD", phases: [0], policyPack: null, phaseKey: "migration:phase", format: "json" as const, policyTimeoutMs: 60_000 };
        const { text, exitCode } = await runDiff(options, "0.0.0", install);
        const diff: DiffReport = JSON.parse(text);
        expect(installed).toHaveLength(1);
        expect(diff.base.dependencies).toBe("installed");
        expect(diff.head.dirty).toBe(true);
        expect(exitCode).toBe(1);
        expect(diff.stacks[0].resources[0]).toMatchObject({ name: "lake", op: "blocked", stateful: true, protect: true, flag: expect.stringMatching(/refuses to delete/) });
        expect(diff.verdict.statefulDeletions).toEqual([diff.stacks[0].resources[0].urn]);
        expect(diff.stacks[0].policies).toBeUndefined();
        expect(repo.worktrees()).toEqual([repo.dir]);
        repo.git("checkout", "--quiet", "--", ".");
    }, 240_000);

    it("names the base when its stack cannot be read, and still removes the worktree", async () => {
        const result = await run("diff", "--base", broken, "--cwd", repo.dir, "--policy-pack", "none");
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(new RegExp(`^migration: on the base \\(${broken} ${broken.slice(0, 12)}\\): .*/base/Pulumi\\.dev\\.yaml is not valid YAML`));
        expect(repo.worktrees()).toEqual([repo.dir]);
        expect(leftoverBaseTrees().filter((d) => !leftBefore.has(d))).toEqual([]);
    }, 120_000);

    it("refuses an unknown ref, naming it and what is accepted", async () => {
        const result = await run("diff", "--base", "no-such-branch", "--cwd", repo.dir);
        expect(result.code).toBe(2);
        expect(result.stderr).toBe(`migration: --base no-such-branch: not a commit in ${repo.dir}; expected a branch, tag or commit (e.g. origin/main, HEAD~1, a SHA)\n`);
        expect((await run("plan", "--base", "HEAD", "--cwd", repo.dir)).stderr).toContain("--base does not apply to plan (an option of diff)");
        expect((await run("diff", "--phase", "all", "--cwd", repo.dir)).stderr).toContain("--phase all: diff compares one phase");
    });

    it("removes the worktree when interrupted by a signal", async () => {
        const script = path.join(repo.dir, "hold.js");
        fs.writeFileSync(
            script,
            [
                `require("ts-node").register({ transpileOnly: true, project: ${JSON.stringify(path.join(projectDir, "tsconfig.json"))}, compilerOptions: { module: "commonjs" } });`,
                `const { withBaseTree } = require(${JSON.stringify(path.join(projectDir, "tools/diff/baseTree"))});`,
                `withBaseTree(${JSON.stringify(repo.dir)}, "HEAD", async (dir) => { console.log(dir); await new Promise((r) => setInterval(r, 1000)); });`,
            ].join("\n"),
        );
        const child = spawn(process.execPath, [script], { stdio: ["ignore", "pipe", "inherit"] });
        const dir = await new Promise<string>((resolve) => child.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString().trim())));
        expect(fs.existsSync(path.join(dir, "Pulumi.yaml"))).toBe(true);
        expect(repo.worktrees()).toHaveLength(2);
        child.kill("SIGTERM");
        const exit = await new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
        expect(exit).toBe(143);
        expect(fs.existsSync(path.dirname(dir))).toBe(false);
        expect(repo.worktrees()).toEqual([repo.dir]);
        fs.rmSync(script);
    }, 60_000);
});
