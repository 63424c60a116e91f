"""The benchmark suite of seed Phase 1, Day 6-7, and how its results meet the promotion gates.

Gate ratios are not written here: the job passes them (``gates`` parameter) from the
project's one table of the seed's numbers, so a gate changes in exactly one place.
"""

from collections import namedtuple

# Seed Day 6-7, verbatim.
SUITE = {
    "training_throughput": ["small_batch", "large_batch", "distributed"],
    "inference_latency": ["single_request", "batch_request", "streaming"],
}

Case = namedtuple("Case", "category metric unit gate batch_size")

# What each benchmark measures and which success gate holds it (seed "Success Metrics").
CASES = {
    "small_batch": Case("training_throughput", "samples_per_second", "samples/s", "trainingThroughput", 32),
    "large_batch": Case("training_throughput", "samples_per_second", "samples/s", "trainingThroughput", 1024),
    "distributed": Case("training_throughput", "samples_per_second", "samples/s", "trainingThroughput", 256),
    "single_request": Case("inference_latency", "p95_latency_ms", "ms", "inferenceLatency", 1),
    "batch_request": Case("inference_latency", "rows_per_second", "rows/s", "inferenceThroughput", 512),
    "streaming": Case("inference_latency", "p95_latency_ms", "ms", "inferenceLatency", 16),
}

# Columns of the benchmark_results table, in order.
RESULT_COLUMNS = [
    "run_id", "run_at", "platform", "category", "benchmark", "metric", "value", "unit",
    "baseline_value", "ratio", "gate", "passed", "node_type", "workers",
]


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q {q}: expected 0 to 100")
    ordered = sorted(values)
    rank = max(1, -(-q * len(ordered) // 100))  # ceil(q/100 * n), at least 1
    return ordered[int(rank) - 1]


def measure(benchmark, durations_s):
    """The benchmark's metric from per-iteration wall times (seconds) of ``batch_size`` items."""
    case = CASES[benchmark]
    if not durations_s or any(d <= 0 for d in durations_s):
        raise ValueError(f"{benchmark}: expected positive durations")
    if case.metric == "p95_latency_ms":
        return percentile(durations_s, 95) * 1000.0
    return case.batch_size * len(durations_s) / sum(durations_s)


def meets(ratio, gate):
    """Whether a Databricks/GCP ratio meets a gate ``{"op": ">=" | "<=", "ratio": r}``."""
    if gate["op"] == ">=":
        return ratio >= gate["ratio"]
    if gate["op"] == "<=":
        return ratio <= gate["ratio"]
    raise ValueError(f"gate op {gate['op']!r}: expected '>=' or '<='")


def result_rows(run_id, run_at, measurements, baselines, gates, node_type, workers):
    """Rows for benchmark_results: one per measured benchmark, compared with the GCP baseline.

    A benchmark without a baseline is recorded with no ratio and ``passed`` None: it cannot
    count towards promotion.
    """
    rows = []
    for benchmark, value in sorted(measurements.items()):
        case = CASES[benchmark]
        if case.gate not in gates:
            raise ValueError(f"gates: no {case.gate!r} gate (have {', '.join(sorted(gates))})")
        baseline = baselines.get(benchmark)
        ratio = value / baseline if baseline else None
        rows.append({
            "run_id": run_id, "run_at": run_at, "platform": "databricks",
            "category": case.category, "benchmark": benchmark, "metric": case.metric,
            "value": float(value), "unit": case.unit,
            "baseline_value": None if baseline is None else float(baseline),
            "ratio": ratio, "gate": case.gate,
            "passed": None if ratio is None else meets(ratio, gates[case.gate]),
            "node_type": node_type, "workers": int(workers),
        })
    return rows


def all_passed(rows):
    """True only when every benchmark of the suite has a baseline and meets its gate."""
    measured = {row["benchmark"]: row["passed"] for row in rows}
    return all(measured.get(b) is True for benchmarks in SUITE.values() for b in benchmarks)
