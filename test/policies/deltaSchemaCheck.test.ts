/**
 * End to end: `migration check` with the project's pack (its own process) on the program with
 * a column dropped from a table definition, and with one added. The program is this project's,
 * run through a small entry point that edits the definition first, as a pull request would.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { gateNames } from "../../domain/gates";
import { successGates } from "../../domain/targets";
import { main } from "../../tools/cli/main";
import { projectPackDir, sharedPack } from "../sharedPack";
import { projectDir } from "../harness";
import { tempDir } from "../lifecycle/fakeDriver";

/** A project whose program is this one after `edit` (JavaScript over `modelsTable`, idempotent: a worker may load it twice). */
function projectWith(edit: string): string {
    const dir = tempDir("migration-schema-");
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
    project.main = "index.js";
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(project));
    const definitions = JSON.stringify(path.join(projectDir, "domain/databricks/tableDefinitions"));
    const program = JSON.stringify(path.join(projectDir, "stacks/index"));
    fs.writeFileSync(path.join(dir, "index.js"), `const { modelsTable } = require(${definitions});\n${edit}\nmodule.exports = require(${program});\n`);
    const stack = parse(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8"));
    stack.config["migration:phase"] = 2;
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), stringify(stack));
    return dir;
}

async function check(cwd: string) {
    let stdout = "";
    let stderr = "";
    // Phase 2 is past the promotion gate: phase 1's results, every metric at its limit.
    const policyConfig = path.join(cwd, "policy-config.json");
    const metrics = Object.fromEntries(gateNames.map((g) => [g, successGates[g].ratio]));
    fs.writeFileSync(policyConfig, JSON.stringify({ "promotion-gate": { results: { phase: 1, metrics } } }));
    const argv = ["check", "--stack", "dev", "--phase", "2", "--cwd", cwd, "--policy-pack", projectPackDir, "--policy-config", policyConfig, "--format", "json"];
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, undefined, { packs: sharedPack });
    return { code, stdout, stderr };
}

describe("migration check on Delta table definitions", () => {
    it("exits 1 for a column dropped, naming the table and the column, and lets a column added elsewhere pass", async () => {
        // One run (the pack and the engine are slow to start): models loses a column, cost_metrics gains one.
        const edit = [
            `modelsTable.columns = modelsTable.columns.filter((c) => c.name !== "framework");`,
            `const { costMetricsTable } = require(${JSON.stringify(path.join(projectDir, "domain/databricks/tableDefinitions"))});`,
            `if (!costMetricsTable.columns.some((c) => c.name === "region")) costMetricsTable.columns = [...costMetricsTable.columns, { name: "region", type: "STRING", comment: "Billing region" }];`,
        ].join("\n");
        const run = await check(projectWith(edit));
        expect(run.stderr).toBe("");
        expect(run.code).toBe(1);
        const violations = JSON.parse(run.stdout).phases.flatMap((p: { violations: { policy: string; enforcementLevel: string; message: string }[] }) => p.violations);
        const mandatory = violations.filter((v: { enforcementLevel: string }) => v.enforcementLevel === "mandatory");
        expect(mandatory.map((v: { policy: string }) => v.policy)).toEqual(["delta-schema-evolution"]);
        expect(mandatory[0].message).toMatch(/\(table ml\.models\): column framework is dropped: it would be dropped with its data/);
        expect(JSON.stringify(violations)).not.toMatch(/cost_metrics|region/);
    }, 300_000);
});
