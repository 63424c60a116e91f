/**
 * Benchmark results for the promotion gate, from a file the benchmark suite wrote:
 *
 * - JSON in the shape `parseBenchmarkResults` accepts: `{ "phase": 1, "metrics": { … } }`;
 * - CSV with a header `metric,value` (ratios of GCP) or `metric,databricks,gcp` (both
 *   measurements), one gate metric a row, each at most once, decimal numbers only, and an
 *   optional `phase,N` row; without it the results are taken as the current phase's (the
 *   suite runs in the phase being left).
 *
 * The `benchmark_results` Delta table is read by benchmarkTable.ts (`--results-table`).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BenchmarkResults, parseBenchmarkResults, parseBenchmarkResultsJson } from "../../domain/gates";

export class ResultsFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ResultsFileError";
    }
}

/** A decimal number as a person or the suite writes it: no hex (`0x1`), no `Infinity`, no blank. */
const decimal = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseCsv(text: string, file: string, defaultPhase: number): unknown {
    const rows = text
        .split(/\r?\n/)
        .map((line, i) => ({ line: i + 1, text: line.trim() }))
        .filter((row) => row.text !== "" && !row.text.startsWith("#"))
        .map((row) => ({ line: row.line, cells: row.text.split(",").map((cell) => cell.trim()) }));
    const [header, ...body] = rows;
    const shape = header?.cells.join(",");
    if (shape !== "metric,value" && shape !== "metric,databricks,gcp") {
        throw new ResultsFileError(`${file}: the CSV header is "${shape ?? ""}"; expected "metric,value" or "metric,databricks,gcp"`);
    }
    const width = header.cells.length;
    const toNumber = (cell: string | undefined, line: number, what: string) => {
        if (cell === undefined || !decimal.test(cell)) {
            throw new ResultsFileError(`${file}: line ${line} has ${JSON.stringify(cell ?? "")} for ${what}; expected a decimal number such as 0.97`);
        }
        return Number(cell);
    };
    let phase: number | undefined;
    const metrics: Record<string, unknown> = {};
    for (const { line, cells } of body) {
        const [name, ...values] = cells;
        if (name === "phase") {
            if (phase !== undefined) throw new ResultsFileError(`${file}: line ${line} gives the phase again; give it once`);
            if (values.length !== 1 || !/^\d+$/.test(values[0])) {
                throw new ResultsFileError(`${file}: line ${line} has phase ${JSON.stringify(values.join(","))}; expected one integer, the phase the benchmarks ran in`);
            }
            phase = Number(values[0]);
            continue;
        }
        if (values.length !== width - 1) {
            throw new ResultsFileError(`${file}: line ${line} has ${cells.length} cells; the header has ${width}`);
        }
        if (name in metrics) throw new ResultsFileError(`${file}: line ${line} gives ${name} again; give each metric once`);
        metrics[name] = width === 2 ? toNumber(values[0], line, name) : { databricks: toNumber(values[0], line, `${name} (databricks)`), gcp: toNumber(values[1], line, `${name} (gcp)`) };
    }
    return { phase: phase ?? defaultPhase, metrics };
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
    if (resolved.toLowerCase().endsWith(".csv")) return parseBenchmarkResults(parseCsv(text, resolved, defaultPhase), resolved);
    return parseBenchmarkResultsJson(text, resolved);
}
