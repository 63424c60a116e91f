/**
 * benchmark_results rows made by the real ml_migration code, and a SQLite stand-in for the SQL
 * warehouse that runs the promote command's own query on them (python/results_warehouse.py).
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import type { SqlRunner } from "../../tools/lifecycle/benchmarkTable";

const script = path.join(__dirname, "python", "results_warehouse.py");
const libDir = path.resolve(__dirname, "../../notebooks/lib");

function py(mode: "rows" | "query", input: unknown): Record<string, unknown>[] {
    const out = execFileSync("python3", ["-B", script, mode], {
        input: JSON.stringify(input),
        encoding: "utf8",
        env: { ...process.env, PYTHONPATH: libDir, PYTHONDONTWRITEBYTECODE: "1" },
    });
    return JSON.parse(out) as Record<string, unknown>[];
}

/** Both platforms' rows for two models, from per-benchmark values, through the baseline file and the suite's comparison. */
export function suiteRows(spec: { gcp: Record<string, number>; databricks: Record<string, number>; gates: Record<string, { op: string; ratio: number }> }) {
    return py("rows", spec);
}

/** A warehouse that answers every query from these rows with SQLite. */
export function sqliteWarehouse(rows: Record<string, unknown>[]): SqlRunner {
    return {
        async query(statement, parameters) {
            return py("query", { rows, statement, parameters });
        },
        async close() {},
    };
}
