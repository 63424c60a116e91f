import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { successGates } from "../../domain/targets";
import { projectDir } from "../harness";
import { sqliteWarehouse, suiteRows } from "../notebooks/resultsWarehouse";
import { databricksSqlRunner, latestRunQuery, SqlRunner } from "../../tools/lifecycle/benchmarkTable";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

/** A warehouse that answers with fixed rows and records what it was asked. */
function warehouse(rows: Record<string, unknown>[]) {
    const asked: { statement: string; params: Record<string, string> }[] = [];
    let closed = false;
    const runner: SqlRunner = {
        async query(statement, params) {
            asked.push({ statement, params });
            return rows;
        },
        async close() {
            closed = true;
        },
    };
    return { asked, runner, closed: () => closed };
}

const run = (benchmark: string, gate: string, ratio: number | null) => ({ run_id: "r-42", run_at: "2026-03-01T10:00:00Z", benchmark, gate, ratio });
const suite = [
    run("small_batch", "trainingThroughput", 0.99),
    run("large_batch", "trainingThroughput", 0.96),
    run("distributed", "trainingThroughput", 0.97),
    run("single_request", "inferenceLatency", 1.02),
    run("streaming", "inferenceLatency", 1.08),
    run("batch_request", "inferenceThroughput", 0.92),
];
const table = "ml_dev.ml.benchmark_results";

function costFile(dir: string, metrics: Record<string, number> = { convergenceTime: 1.01, totalCost: 0.65, costPerTraining: 0.7 }): string {
    const file = path.join(dir, "cost.json");
    fs.writeFileSync(file, JSON.stringify({ phase: 1, metrics }));
    return file;
}

async function promote(rows: Record<string, unknown>[], extra: string[]) {
    const dir = tempDir();
    const driver = new FakeDriver("dev", { "migration:phase": 1 });
    const w = warehouse(rows);
    const result = await cli(["promote", ...base(dir), "--to", "2", "--results-table", table, ...extra.map((a) => (a === "COST" ? costFile(dir) : a))], {
        ...fakeDeps(driver),
        sqlRunner: async () => w.runner,
    });
    return { ...result, driver, w };
}

describe("benchmark results from the benchmark_results table", () => {
    it("asks for the latest Databricks run's gated rows with the GCP rows they rest on, platforms bound as parameters", () => {
        const sql = latestRunQuery(table);
        expect(sql).toContain("FROM `ml_dev`.`ml`.`benchmark_results` AS d");
        expect(sql).toContain("ON g.platform = :baseline_platform AND g.run_id = d.baseline_run_id");
        expect(sql).toMatch(/WHERE d\.platform = :platform AND d\.gate IS NOT NULL\n {2}AND d\.run_id = \(SELECT run_id FROM .* WHERE platform = :platform ORDER BY run_at DESC LIMIT 1\)/);
    });

    it("holds each gate to its worst benchmark, and takes the rest from a results file", async () => {
        const result = await promote(suite, ["--results", "COST"]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.w.asked).toEqual([{ statement: latestRunQuery(table), params: { platform: "databricks", baseline_platform: "gcp" } }]);
        expect(result.w.closed()).toBe(true);
        expect(result.stdout).toContain("✓ trainingThroughput = 96% of GCP");
        expect(result.stdout).toContain("✓ inferenceLatency = 108% of GCP");
        const up = result.driver.calls.find((c) => c.op === "up")!;
        expect(up.op === "up" && up.policyConfig[0]).toMatchObject({
            "promotion-gate": { results: { phase: 1, metrics: { trainingThroughput: 0.96, inferenceLatency: 1.08, inferenceThroughput: 0.92, totalCost: 0.65 } } },
        });
    });

    it("blocks on the worst benchmark: one slow streaming run fails inference latency", async () => {
        const result = await promote([...suite.slice(0, 4), run("streaming", "inferenceLatency", 1.11), suite[5]], ["--results", "COST"]);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain("✗ inferenceLatency = 111% of GCP");
        expect(result.driver.calls).toEqual([]);
    });

    it("blocks with the table alone: convergence and cost are not in it", async () => {
        const result = await promote(suite, []);
        expect(result.code).toBe(1);
        expect(result.stdout).toContain("missing: convergenceTime, totalCost, costPerTraining");
    });

    it.each([
        [[], [], /no Databricks benchmark run found/],
        [[run("streaming", "inferenceLatency", null)], [], /benchmark streaming \(inferenceLatency\): no ratio/],
        [suite, ["--results", "OVERLAP"], /trainingThroughput: given by both --results and --results-table/],
    ])("refuses bad rows or overlapping sources (exit 2) %#", async (rows, extra, message) => {
        const dir = tempDir();
        const args = extra.map((a) => (a === "OVERLAP" ? costFile(dir, { trainingThroughput: 0.99 }) : a));
        const result = await promote(rows, args);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.driver.calls).toEqual([]);
    });

    it("refuses a bad table name before connecting", async () => {
        const driver = new FakeDriver("dev", { "migration:phase": 1 });
        let connected = false;
        const result = await cli(["promote", ...base(tempDir()), "--to", "2", "--results-table", "ml.x; DROP TABLE y"], {
            ...fakeDeps(driver),
            sqlRunner: async () => {
                connected = true;
                return warehouse([]).runner;
            },
        });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("expected catalog.schema.table");
        expect(connected).toBe(false);
    });

    it("names the missing connection settings, never the token", async () => {
        await expect(databricksSqlRunner({ DATABRICKS_HOST: "adb-1.gcp.databricks.com", DATABRICKS_TOKEN: "dapi-secret" })).rejects.toThrow(
            /needs DATABRICKS_HTTP_PATH in the environment/,
        );
        await databricksSqlRunner({ DATABRICKS_TOKEN: "dapi-secret" }).catch((err: Error) => expect(err.message).not.toContain("dapi-secret"));
    });
});

const gates = Object.fromEntries(Object.entries(successGates).map(([gate, g]) => [gate, { op: g.op, ratio: g.ratio }]));
const gcpValues = { small_batch: 900, large_batch: 2800, distributed: 21000, time_to_target: 300, single_request: 4.2, batch_request: 52000, streaming: 9000 };

/** This project with the dev stack file at phase 1, for a dry run that previews 1 → 2. */
function devAtPhase1(): string {
    const dir = tempDir("migration-project-");
    const project = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8"));
    project.main = path.join(projectDir, "stacks", "index.ts");
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), stringify(project));
    const stack = parse(fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8"));
    stack.config["migration:phase"] = 1;
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), stringify(stack));
    return dir;
}

describe("the gate on rows the suite's own code made, through the promote command's own query", () => {
    /** A dry run previews the promotion with the offline engine (about half a minute); without it, the fake driver's up. */
    async function promoteOn(databricks: Record<string, number>, options: { dryRun?: boolean; rows?: Record<string, unknown>[] } = {}) {
        const rows = options.rows ?? (suiteRows({ gcp: gcpValues, databricks, gates }));
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 1 });
        const where = options.dryRun ? ["--stack", "dev", "--cwd", devAtPhase1(), "--state-dir", dir, "--dry-run"] : base(dir);
        const argv = ["promote", ...where, "--to", "2", "--results-table", table, "--results", costFile(dir, { totalCost: 0.65, costPerTraining: 0.7 })];
        const result = await cli(argv, { ...fakeDeps(driver), sqlRunner: async () => sqliteWarehouse(rows) });
        return { ...result, rows, driver };
    }

    // 16 A100s against 8 H100s: per GPU well below an H100, the deployment at or above it.
    const good = { small_batch: 480, large_batch: 1500, distributed: 20500, time_to_target: 310, single_request: 4.5, batch_request: 50000, streaming: 8500 };

    it("passes a dry run when both models meet every gate; the one-GPU comparisons are recorded but hold no gate", async () => {
        const result = await promoteOn(good, { dryRun: true });
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.stdout).toContain("✓ trainingThroughput = 97.6% of GCP");
        expect(result.stdout).toContain("✓ convergenceTime = 103.3% of GCP");
        expect(result.stdout).toContain("✓ inferenceLatency = 107.1% of GCP");
        // The worse of batch (96.2%) and streaming (94.4%).
        expect(result.stdout).toContain("✓ inferenceThroughput = 94.4% of GCP");
        const largeBatch = result.rows.filter((r) => r.platform === "databricks" && r.benchmark === "large_batch");
        expect(largeBatch.map((r) => [r.gate, r.passed])).toEqual([[null, null], [null, null]]);
        expect(result.stdout).toContain("dry run: phase 1 → 2 (nothing changed)");
        expect(result.driver.calls).toEqual([]);
    });

    it("refuses, naming the metric, when one benchmark misses its gate", async () => {
        const result = await promoteOn({ ...good, single_request: 4.7 });
        expect(result.code).toBe(1);
        expect(result.stdout).toContain("✗ inferenceLatency = 111.9% of GCP");
        expect(result.stdout).not.toContain("✗ trainingThroughput");
        expect(result.stderr).toContain("promotion to phase 2 refused");
        expect(result.driver.calls.filter((c) => c.op === "up")).toEqual([]);
    });

    it("refuses a Databricks ratio whose GCP row is not in the table", async () => {
        const rows = suiteRows({ gcp: gcpValues, databricks: good, gates }).filter(
            (r) => !(r.platform === "gcp" && r.benchmark === "distributed" && r.model === "bert_base"),
        );
        const result = await promoteOn(good, { rows });
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("benchmark distributed (bert_base) (trainingThroughput): its GCP row (run gke-baseline-1) is not in the table");
    });
});
