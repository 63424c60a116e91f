import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
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
    it("asks for the latest Databricks run, with the platform bound as a parameter", () => {
        const sql = latestRunQuery(table);
        expect(sql).toContain("FROM `ml_dev`.`ml`.`benchmark_results`");
        expect(sql).toMatch(/WHERE platform = :platform\n {2}AND run_id = \(SELECT run_id FROM .* WHERE platform = :platform ORDER BY run_at DESC LIMIT 1\)/);
    });

    it("holds each gate to its worst benchmark, and takes the rest from a results file", async () => {
        const result = await promote(suite, ["--results", "COST"]);
        expect(result.stderr).toBe("");
        expect(result.code).toBe(0);
        expect(result.w.asked).toEqual([{ statement: latestRunQuery(table), params: { platform: "databricks" } }]);
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
