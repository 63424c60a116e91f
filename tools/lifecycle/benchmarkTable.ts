/**
 * Benchmark results from the `benchmark_results` Delta table (written by the benchmark suite
 * job, domain/databricks/tableDefinitions.ts), through a SQL warehouse.
 *
 * The table holds one row per benchmark and model of a run (ml_migration.benchmarks), each
 * with its Databricks/GCP `ratio`, the `gate` it is held to, and the GCP run the ratio was taken
 * against (`baseline_run_id`). The latest Databricks run is read together with the GCP rows its
 * ratios rest on, so a ratio counts only when both platforms' rows are in the table and agree
 * with it. A gate measured by several rows (inference throughput: batch and streaming, for each
 * model) takes the worst ratio, so every one must meet it. Rows no gate holds (the one-GPU
 * throughput comparisons) are not read. The suite measures training throughput, convergence
 * time and inference: the cost ratios are not in the table and come from a results file
 * (`--results`), or the gate reports them missing. The table has no phase column: its results
 * are the current phase's, the phase the suite runs in.
 *
 * The SQL runs behind `SqlRunner`; `databricksSqlRunner` is the official driver
 * (`@databricks/sql`). The token is read from the environment and never printed.
 */
import { BenchmarkResultsError, gateNames, GateOp, gateThresholds } from "../../domain/gates";
import { SuccessGate } from "../../domain/targets";

export interface SqlRunner {
    query(statement: string, namedParameters: Record<string, string>): Promise<Record<string, unknown>[]>;
    close(): Promise<void>;
}

export class TableSourceError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "TableSourceError";
    }
}

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `catalog.schema.table`, each part a plain identifier (names cannot be bound as parameters). */
export function checkTableName(name: string): string {
    const parts = name.split(".");
    if (parts.length !== 3 || !parts.every((p) => identifier.test(p))) {
        throw new TableSourceError(`--results-table ${name}: expected catalog.schema.table, each part letters, digits and underscores`);
    }
    return parts.map((p) => `\`${p}\``).join(".");
}

export function latestRunQuery(table: string): string {
    const t = checkTableName(table);
    return [
        "SELECT d.run_id, d.run_at, d.benchmark, d.model, d.gate, d.ratio, d.value, d.baseline_run_id, g.value AS gcp_value",
        `FROM ${t} AS d`,
        `LEFT JOIN ${t} AS g`,
        "  ON g.platform = :baseline_platform AND g.run_id = d.baseline_run_id",
        "  AND g.benchmark = d.benchmark AND g.model = d.model AND g.config = d.config",
        "WHERE d.platform = :platform AND d.gate IS NOT NULL",
        `  AND d.run_id = (SELECT run_id FROM ${t} WHERE platform = :platform ORDER BY run_at DESC LIMIT 1)`,
    ].join("\n");
}

/** The named parameters of `latestRunQuery`. */
export const latestRunParameters = { platform: "databricks", baseline_platform: "gcp" } as const;

const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);

/** The latest run's rows as `{ phase, metrics }` (the shape `parseBenchmarkResults` reads). */
export function resultsFromRows(rows: readonly Record<string, unknown>[], phase: number, source: string): { phase: number; metrics: Partial<Record<SuccessGate, number>>; source: string } {
    if (rows.length === 0) throw new TableSourceError(`${source}: no Databricks benchmark run found`);
    const thresholds = gateThresholds();
    const worst = (op: GateOp, a: number, b: number) => (op === ">=" ? Math.min(a, b) : Math.max(a, b));
    const metrics: Partial<Record<SuccessGate, number>> = {};
    const problems: string[] = [];
    for (const row of rows) {
        const gate = row.gate as string;
        const what = `benchmark ${String(row.benchmark)}${row.model ? ` (${String(row.model)})` : ""}`;
        if (!(gateNames as string[]).includes(gate)) {
            problems.push(`${what}: gate "${gate}" is not one of ${gateNames.join(", ")}`);
            continue;
        }
        const ratio = num(row.ratio);
        if (ratio === undefined) {
            // No GCP baseline for this benchmark: the gate cannot be judged from this run.
            problems.push(`${what} (${gate}): no ratio (is there a GCP baseline row?)`);
            continue;
        }
        if ("gcp_value" in row) {
            const value = num(row.value);
            const gcpValue = num(row.gcp_value);
            if (gcpValue === undefined || value === undefined) {
                problems.push(`${what} (${gate}): its GCP row (run ${String(row.baseline_run_id)}) is not in the table; the ratio cannot be checked`);
                continue;
            }
            if (!(gcpValue > 0) || Math.abs(value / gcpValue - ratio) > 1e-6 * Math.max(1, ratio)) {
                problems.push(`${what} (${gate}): ratio ${ratio} is not ${value} / ${gcpValue}, its Databricks and GCP values`);
                continue;
            }
        }
        const g = gate as SuccessGate;
        metrics[g] = metrics[g] === undefined ? ratio : worst(thresholds[g].op, metrics[g]!, ratio);
    }
    if (problems.length > 0) throw new BenchmarkResultsError(`${source} run ${String(rows[0].run_id)}`, problems);
    return { phase, metrics, source: `${source} run ${String(rows[0].run_id)}` };
}

export async function readResultsTable(runner: SqlRunner, table: string, phase: number): Promise<ReturnType<typeof resultsFromRows>> {
    try {
        const rows = await runner.query(latestRunQuery(table), { ...latestRunParameters });
        return resultsFromRows(rows, phase, table);
    } finally {
        await runner.close();
    }
}

/**
 * The official driver against a SQL warehouse: `DATABRICKS_HOST` (workspace host name),
 * `DATABRICKS_HTTP_PATH` (the warehouse's HTTP path) and `DATABRICKS_TOKEN`.
 */
export async function databricksSqlRunner(env: NodeJS.ProcessEnv = process.env): Promise<SqlRunner> {
    const missing = ["DATABRICKS_HOST", "DATABRICKS_HTTP_PATH", "DATABRICKS_TOKEN"].filter((k) => !env[k]);
    if (missing.length > 0) throw new TableSourceError(`--results-table needs ${missing.join(", ")} in the environment (the workspace host, the SQL warehouse's HTTP path, a token)`);
    const { DBSQLClient } = await import("@databricks/sql");
    const client = new DBSQLClient();
    const host = env.DATABRICKS_HOST!.replace(/^https?:\/\//, "").replace(/\/$/, "");
    try {
        await client.connect({ host, path: env.DATABRICKS_HTTP_PATH!, token: env.DATABRICKS_TOKEN! });
    } catch (err) {
        throw new TableSourceError(`cannot connect to ${host}: ${(err as Error).message}`);
    }
    const session = await client.openSession();
    return {
        async query(statement, namedParameters) {
            const operation = await session.executeStatement(statement, { namedParameters });
            try {
                return (await operation.fetchAll()) as Record<string, unknown>[];
            } finally {
                await operation.close();
            }
        },
        async close() {
            await session.close();
            await client.close();
        },
    };
}
