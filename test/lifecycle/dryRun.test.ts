/**
 * Dry runs with the offline engine: what each lifecycle step creates, updates, deletes and
 * retains, its estimated time against the KPI, and that no rollback deletes stateful data.
 * (That no rollback between any two phases, from any state a failed promotion leaves, deletes
 * stateful data is test/stacks/dataLayerFailedPromotions.test.ts.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { projectDir } from "../harness";
import { cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

const phaseKey = "migration:phase";

/** A copy of the project's stack files with the stack at another phase (the program is this project's). */
function projectAt(config: Record<string, unknown>, name = "dev"): string {
    const dir = tempDir("migration-project-");
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
    project.main = path.join(projectDir, "stacks", "index.ts");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(project));
    const stack = parse(fs.readFileSync(path.join(projectDir, `Pulumi.${name}.yaml`), "utf8"));
    Object.assign(stack.config, config);
    fs.writeFileSync(path.join(dir, `Pulumi.${name}.yaml`), stringify(stack));
    return dir;
}

describe("dry runs through the CLI", () => {
    it("promote 0 → 1: what it creates and its time against the 10-minute deployment KPI; nothing is changed", async () => {
        const state = tempDir();
        const driver = new FakeDriver("dev");
        const run = await cli(["promote", "--stack", "dev", "--cwd", projectDir, "--state-dir", state, "--to", "1", "--dry-run"], fakeDeps(driver));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toMatch(/create: \d+/);
        expect(run.stdout).toMatch(/databricks:index\/mwsWorkspaces:MwsWorkspaces ml-workspace/);
        expect(run.stdout).toMatch(/delete: 0/);
        expect(run.stdout).toMatch(/estimated time: [\d.]+ min \(longest dependency chain of \d+ resource\(s\)\); deployment KPI ≤ 10 min: (within|OVER)/);
        expect(driver.calls).toEqual([]);
        expect(fs.readdirSync(state)).toEqual([]);
    });

    it("rollback 2 → 0: deletes and retains, the 15-minute recovery KPI, and no stateful deletion", async () => {
        const cwd = projectAt({ [phaseKey]: 2 });
        const run = await cli(["rollback", "--stack", "dev", "--cwd", cwd, "--to", "0", "--dry-run"], fakeDeps(new FakeDriver("dev")));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toContain("rollback dev: phase 2 → 0 (immediate recovery, no gate)");
        expect(run.stdout).toMatch(/delete: [1-9]\d*/);
        expect(run.stdout).toMatch(/recovery KPI ≤ 15 min: (within|OVER)/);
        expect(run.stdout).toContain("stateful resources deleted: none");
        expect(run.stdout).toContain("data: every stateful resource is kept");
        expect(fs.existsSync(path.join(cwd, ".migration"))).toBe(false);
    });

    it("gradual at phase 3: three stages, then the return to phase 0 with the data kept and nothing scheduled on Databricks", async () => {
        const cwd = projectAt({ [phaseKey]: 3, "migration:workload": { databricksShare: 0.6 } }, "prod");
        const run = await cli(["rollback", "--stack", "prod", "--cwd", cwd, "--gradual", "--dry-run"], fakeDeps(new FakeDriver("prod")));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(0);
        expect(run.stdout).toContain("schedule (from Databricks share 0.6):");
        expect(run.stdout).toMatch(/stage 1: share → 0.45, then wait 1 day\(s\) \[pending\]\n {2}stage 2: share → 0.15, then wait 2 day\(s\) \[pending\]\n {2}stage 3: share → 0, then wait 1 day\(s\) \[pending\]\n {2}then: phase 3 → 0, the GCP setup \[pending\]/);
        const titles = [...run.stdout.matchAll(/^dry run: (.*) \(nothing changed\)$/gm)].map((m) => m[1]);
        expect(titles).toEqual([
            "stage 1 of 3, share 0.6 → 0.45, due now",
            "stage 2 of 3, share 0.45 → 0.15, 1 day(s) after the step before succeeds",
            "stage 3 of 3, share 0.15 → 0, 2 day(s) after the step before succeeds",
            "phase 3 → 0, the GCP setup, 1 day(s) after the step before succeeds",
        ]);
        const sections = run.stdout.split(/^dry run: /m).slice(1);
        // The share is real capacity: each stage updates cluster and pool sizes, creating or deleting nothing.
        for (const stage of sections.slice(0, 3)) {
            expect(stage).toMatch(/update: [1-9]/);
            expect(stage).toMatch(/delete: 0/);
        }
        // prod's schedules run until the end: the hourly training stops at share 0, the rest goes with phase 3.
        expect(sections[1]).toContain("scheduled on Databricks after this step: cost_tracking, delta_maintenance, model_training");
        expect(sections[2]).toContain("scheduled on Databricks after this step: cost_tracking, delta_maintenance\n");
        const last = sections[3];
        expect(last).toMatch(/delete: [1-9]/);
        expect(last).toContain("databricks:index/job:Job model-training");
        expect(last).toContain("databricks:index/cluster:Cluster a100");
        expect(last).toContain("scheduled on Databricks after this step: nothing");
        for (const section of sections) expect(section).toContain("stateful resources deleted: none");
        expect(run.stdout).toMatch(/return to GCP: 4 step\(s\); the last one, phase 3 → 0, is estimated at [\d.]+ min against the 15-minute recovery KPI/);
        expect(run.stdout).toContain("data: every stateful resource is kept");
        expect(fs.existsSync(path.join(cwd, ".migration"))).toBe(false);
    });
});
