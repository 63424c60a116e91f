/**
 * Benchmark results for the promotion gate, from a file the benchmark suite wrote:
 *
 * - JSON in the shape `parseBenchmarkResults` accepts: `{ "phase": 1, "metrics": { … } }`;
 * - CSV with a header `metric,value` (ratios of GCP) or `metric,databricks,gcp` (both
 *   measurements), one gate metric a row, and an optional `phase,N` row; without it the
 *   results are taken as the current phase's (the suite runs in the phase being left).
 *
 * The `benchmark_results` Delta table is read by benchmarkTable.ts (`--results-table`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BenchmarkResults, parseBenchmarkResults } from "../../components/gates";

export class ResultsFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ResultsFileError";
    }
}

function parseCsv(text: string, file: string, defaultPhase: number): unknown {
    const rows = text
        .split(/\r?\n/)
        .map((line) => line.trim())
        .filter((line) => line !== "" && !line.startsWith("#"))
        .map((line) => line.split(",").map((cell) => cell.trim()));
    const [header, ...body] = rows;
    const shape = header?.join(",");
    if (shape !== "metric,value" && shape !== "metric,databricks,gcp") {
        throw new ResultsFileError(`${file}: the CSV header is "${header?.join(",") ?? ""}"; expected "metric,value" or "metric,databricks,gcp"`);
    }
    const toNumber = (cell: string | undefined, line: number) => {
        const n = Number(cell);
        if (cell === undefined || cell === "" || !Number.isFinite(n)) {
            throw new ResultsFileError(`${file}: row ${line + 2} has "${cell ?? ""}" where a number is expected`);
        }
        return n;
    };
    let phase: number = defaultPhase;
    const metrics: Record<string, unknown> = {};
    body.forEach((cells, i) => {
        const [name, ...values] = cells;
        if (name === "phase") {
            phase = toNumber(values[0], i);
            return;
        }
        if (values.length !== header.length - 1) {
            throw new ResultsFileError(`${file}: row ${i + 2} has ${cells.length} cells; the header has ${header.length}`);
        }
        metrics[name] = header.length === 2 ? toNumber(values[0], i) : { databricks: toNumber(values[0], i), gcp: toNumber(values[1], i) };
    });
    return { phase, metrics };
}

/** Reads and validates a results file; every problem is a `ResultsFileError` or `BenchmarkResultsError` naming the file. */
export function readResultsFile(file: string, defaultPhase: number): BenchmarkResults {
    const resolved = path.resolve(file);
    let text: string;
    try {
        text = fs.readFileSync(resolved, "utf8");
    } catch (err) {
        throw new ResultsFileError(`--results ${file}: cannot read ${resolved} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    let raw: unknown;
    if (resolved.toLowerCase().endsWith(".csv")) {
        raw = parseCsv(text, resolved, defaultPhase);
    } else {
        try {
            raw = JSON.parse(text);
        } catch (err) {
            throw new ResultsFileError(`--results ${file}: ${resolved} is not JSON (${(err as Error).message}); expected { "phase": N, "metrics": { … } } or a .csv file`);
        }
    }
    return parseBenchmarkResults(raw, resolved);
}
