/**
 * Benchmark results from the `benchmark_results` Delta table (written by the benchmark suite
 * job, components/databricks/tableDefinitions.ts), through a SQL warehouse.
 *
 * The table holds one row per benchmark of a run, each with its Databricks/GCP `ratio` and the
 * `gate` it is held to. The latest Databricks run is read; a gate measured by several
 * benchmarks (inference latency: single request and streaming) takes the worst ratio, so
 * every benchmark must meet it. The suite measures throughput and latency only: convergence
 * time and the cost ratios are not in the table and come from a results file (`--results`),
 * or the gate reports them missing. The table has no phase column: its results are the
 * current phase's, the phase the suite runs in.
 *
 * The SQL runs behind `SqlRunner`; `databricksSqlRunner` is the official driver
 * (`@databricks/sql`). The token is read from the environment and never printed.
 */
import { BenchmarkResultsError, gateNames, GateOp, gateThresholds } from "../../components/gates";
import { SuccessGate } from "../../components/targets";

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
        "SELECT run_id, run_at, benchmark, gate, ratio",
        `FROM ${t}`,
        "WHERE platform = :platform",
        `  AND run_id = (SELECT run_id FROM ${t} WHERE platform = :platform ORDER BY run_at DESC LIMIT 1)`,
    ].join("\n");
}

/** The latest run's rows as `{ phase, metrics }` (the shape `parseBenchmarkResults` reads). */
export function resultsFromRows(rows: readonly Record<string, unknown>[], phase: number, source: string): { phase: number; metrics: Partial<Record<SuccessGate, number>>; source: string } {
    if (rows.length === 0) throw new TableSourceError(`${source}: no Databricks benchmark run found`);
    const thresholds = gateThresholds();
    const worst = (op: GateOp, a: number, b: number) => (op === ">=" ? Math.min(a, b) : Math.max(a, b));
    const metrics: Partial<Record<SuccessGate, number>> = {};
    const problems: string[] = [];
    for (const row of rows) {
        const gate = row.gate as string;
        if (!(gateNames as string[]).includes(gate)) {
            problems.push(`benchmark ${String(row.benchmark)}: gate "${gate}" is not one of ${gateNames.join(", ")}`);
            continue;
        }
        const ratio = row.ratio;
        if (typeof ratio !== "number" || !Number.isFinite(ratio)) {
            // No GCP baseline for this benchmark: the gate cannot be judged from this run.
            problems.push(`benchmark ${String(row.benchmark)} (${gate}): no ratio (is there a GCP baseline row?)`);
            continue;
        }
        const g = gate as SuccessGate;
        metrics[g] = metrics[g] === undefined ? ratio : worst(thresholds[g].op, metrics[g]!, ratio);
    }
    if (problems.length > 0) throw new BenchmarkResultsError(`${source} run ${String(rows[0].run_id)}`, problems);
    return { phase, metrics, source: `${source} run ${String(rows[0].run_id)}` };
}

export async function readResultsTable(runner: SqlRunner, table: string, phase: number): Promise<ReturnType<typeof resultsFromRows>> {
    try {
        const rows = await runner.query(latestRunQuery(table), { platform: "databricks" });
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
