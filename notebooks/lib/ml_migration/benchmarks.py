"""The benchmark suite of the transition plan (Phase 1, Day 6-7) and how its results meet the
promotion gates. Pure Python: no torch, no Spark.

Defined once, here, and imported by both sides: the Databricks suite notebook (``platform =
'databricks'``) and the GKE baseline (``python -m ml_migration.baseline``, ``platform = 'gcp'``).
What runs the workloads is ``ml_migration.suite``; this module says what each benchmark is,
how its value is computed from timings, and how a ratio is formed and judged.

A ratio is always ``databricks value / gcp value`` of the same benchmark, the same model and
the same configuration (``config``: sizes, batch, precision). Whether a ratio is good depends
on the metric: ``better`` says which way, and the gate's operator agrees with it (a test keeps
them in step). Gate thresholds are not written here: the job passes them (``gates``) from
the project's one table of the plan's numbers.

Scope says what a benchmark compares:

- ``device``: one GPU on each side. ``small_batch`` and ``large_batch`` compare one A100 with
  one H100: a GPU generation, not a platform. They are recorded with their ratios and no gate;
  ``large_batch``'s ratio is the measured per-GPU training throughput the cost model reads.
  ``single_request`` is device-bound by nature (one request's latency cannot be bought with
  more GPUs), so it holds the latency gate on one GPU.
- ``deployment``: every GPU the benchmark is given, through ``torch.distributed`` (the
  Databricks benchmark job cluster's workers through TorchDistributor; the GPUs of the GKE
  baseline pod). The training-throughput, convergence and inference-throughput gates are held
  here: the plan asks whether the platform, as deployed, does the work as fast.
"""

import json
import math
from collections import namedtuple

HIGHER, LOWER = "higher", "lower"
DEVICE, DEPLOYMENT = "device", "deployment"
PLATFORMS = ("databricks", "gcp")

Benchmark = namedtuple("Benchmark", "name category metric unit better gate scope")

# The plan's Day 6-7 suite (training small/large/distributed, inference single/batch/streaming),
# with time_to_target added for the plan's convergence gate.
BENCHMARKS = (
    Benchmark("small_batch", "training_throughput", "samples_per_second", "samples/s", HIGHER, None, DEVICE),
    Benchmark("large_batch", "training_throughput", "samples_per_second", "samples/s", HIGHER, None, DEVICE),
    Benchmark("distributed", "training_throughput", "samples_per_second", "samples/s", HIGHER, "trainingThroughput", DEPLOYMENT),
    Benchmark("time_to_target", "training_throughput", "seconds_to_target", "s", LOWER, "convergenceTime", DEPLOYMENT),
    Benchmark("single_request", "inference_latency", "p95_latency_ms", "ms", LOWER, "inferenceLatency", DEVICE),
    Benchmark("batch_request", "inference_latency", "rows_per_second", "rows/s", HIGHER, "inferenceThroughput", DEPLOYMENT),
    Benchmark("streaming", "inference_latency", "rows_per_second", "rows/s", HIGHER, "inferenceThroughput", DEPLOYMENT),
)

CASES = {b.name: b for b in BENCHMARKS}

SUITE = {}
for _b in BENCHMARKS:
    SUITE.setdefault(_b.category, []).append(_b.name)
del _b

# The benchmark whose device-scope ratio is the measured per-GPU training throughput.
PER_GPU_THROUGHPUT = "large_batch"

# Columns of the benchmark_results table, in order.
RESULT_COLUMNS = [
    "run_id", "run_at", "platform", "category", "benchmark", "metric", "value", "unit",
    "baseline_value", "ratio", "gate", "passed", "node_type", "workers",
    "model", "gpus", "gpu_type", "runtime", "config", "baseline_run_id",
]


class BenchmarkError(ValueError):
    """A benchmark that could not produce a value (bad input, a target never reached)."""


def case(name):
    if name not in CASES:
        raise BenchmarkError(f"benchmark {name!r}: expected one of {', '.join(CASES)}")
    return CASES[name]


def percentile(values, q):
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"q {q}: expected 0 to 100")
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered) / 100))
    return ordered[rank - 1]


def _positive(benchmark, durations_s):
    if not durations_s or any(not (d > 0) for d in durations_s):
        raise BenchmarkError(f"{benchmark}: expected positive durations, got {list(durations_s)[:5]}")


def measure(benchmark, durations_s, items_per_step=1):
    """The benchmark's value from per-step wall times (seconds), each step handling ``items_per_step``."""
    metric = case(benchmark).metric
    _positive(benchmark, durations_s)
    if metric == "p95_latency_ms":
        return percentile(durations_s, 95) * 1000.0
    if metric in ("samples_per_second", "rows_per_second"):
        if items_per_step < 1:
            raise BenchmarkError(f"{benchmark}: items_per_step {items_per_step}: expected at least 1")
        return items_per_step * len(durations_s) / sum(durations_s)
    if metric == "seconds_to_target":
        return float(sum(durations_s))
    raise BenchmarkError(f"{benchmark}: metric {metric!r} has no measure")


def config_key(config):
    """The canonical text of a benchmark configuration: rows compare only when it is equal."""
    if not isinstance(config, dict):
        raise BenchmarkError(f"config {config!r}: expected an object")
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def meets(ratio, gate):
    """Whether a Databricks/GCP ratio meets a gate ``{"op": ">=" | "<=", "ratio": r}``."""
    if gate["op"] == ">=":
        return ratio >= gate["ratio"]
    if gate["op"] == "<=":
        return ratio <= gate["ratio"]
    raise ValueError(f"gate op {gate['op']!r}: expected '>=' or '<='")


def ratio(databricks_value, gcp_value):
    """How every ratio is formed: the Databricks value over the GCP value."""
    if not (gcp_value > 0) or databricks_value < 0:
        raise BenchmarkError(f"ratio of {databricks_value} to {gcp_value}: expected a value ≥ 0 over a GCP value > 0")
    return databricks_value / gcp_value


Measurement = namedtuple("Measurement", "benchmark model value gpus config")


def measurement(benchmark, model, value, gpus, config):
    """A measured value, checked: a known benchmark, a finite value ≥ 0, at least one GPU (or CPU)."""
    case(benchmark)
    if not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise BenchmarkError(f"{benchmark} ({model}): value {value!r}: expected a finite number ≥ 0")
    if not isinstance(gpus, int) or gpus < 1:
        raise BenchmarkError(f"{benchmark} ({model}): gpus {gpus!r}: expected a positive integer")
    config_key(config)
    return Measurement(benchmark, str(model), float(value), gpus, dict(config))


def latest_baselines(rows):
    """The latest GCP row of each (benchmark, model, config), from benchmark_results rows."""
    latest = {}
    for row in rows:
        if row["platform"] != "gcp":
            continue
        key = (row["benchmark"], row["model"], row["config"])
        if key not in latest or str(row["run_at"]) > str(latest[key]["run_at"]):
            latest[key] = row
    return latest


def _gates_for(measurements, gates):
    needed = {case(m.benchmark).gate for m in measurements} - {None}
    missing = sorted(needed - set(gates))
    if missing:
        raise BenchmarkError(f"gates: no {', '.join(repr(g) for g in missing)} gate (have {', '.join(sorted(gates)) or 'none'})")


def result_rows(run, measurements, baselines=(), gates=None):
    """Rows for benchmark_results, one per measurement.

    ``run``: run_id, run_at, platform, node_type, workers, gpu_type, runtime. A Databricks
    measurement is compared with the latest GCP row of the same benchmark, model and config;
    without one it is recorded with no ratio and ``passed`` None, and cannot count towards
    promotion. GCP rows are the baseline itself: no ratio.
    """
    platform = run["platform"]
    if platform not in PLATFORMS:
        raise BenchmarkError(f"platform {platform!r}: expected one of {', '.join(PLATFORMS)}")
    gates = gates or {}
    if platform == "databricks":
        _gates_for(measurements, gates)
    latest = latest_baselines(baselines)
    rows = []
    for m in sorted(measurements, key=lambda m: (m.benchmark, m.model)):
        spec = case(m.benchmark)
        config = config_key(m.config)
        base = latest.get((m.benchmark, m.model, config)) if platform == "databricks" else None
        r = ratio(m.value, base["value"]) if base else None
        rows.append({
            "run_id": run["run_id"], "run_at": run["run_at"], "platform": platform,
            "category": spec.category, "benchmark": m.benchmark, "metric": spec.metric,
            "value": m.value, "unit": spec.unit,
            "baseline_value": None if base is None else float(base["value"]),
            "ratio": r, "gate": spec.gate,
            "passed": None if r is None or spec.gate is None else meets(r, gates[spec.gate]),
            "node_type": run["node_type"], "workers": int(run["workers"]),
            "model": m.model, "gpus": m.gpus, "gpu_type": run["gpu_type"], "runtime": run["runtime"],
            "config": config, "baseline_run_id": None if base is None else base["run_id"],
        })
    return rows


def all_passed(rows):
    """True only when every gated benchmark of the suite, for every model measured, met its gate."""
    models = {row["model"] for row in rows}
    if not models:
        return False
    passed = {(row["benchmark"], row["model"]): row["passed"] for row in rows}
    gated = [b.name for b in BENCHMARKS if b.gate is not None]
    return all(passed.get((b, model)) is True for b in gated for model in models)


def per_gpu_throughput_ratio(rows):
    """The measured A100/H100 training throughput per GPU: the device-scope large_batch ratios'
    mean over models, with the run it comes from; None when no row has a ratio."""
    ratios = [row for row in rows if row["benchmark"] == PER_GPU_THROUGHPUT and row["ratio"] is not None]
    if not ratios:
        return None
    return {
        "ratio": sum(row["ratio"] for row in ratios) / len(ratios),
        "run": f"{ratios[0]['run_id']} vs {ratios[0]['baseline_run_id']}",
        "models": sorted(row["model"] for row in ratios),
    }
