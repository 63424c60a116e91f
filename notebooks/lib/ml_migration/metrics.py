"""The custom metrics the migration's code writes, and from what.

The names and label keys are the contract with the metric descriptors the program declares
(domain/customMetrics.ts); a test compares the two, and checks that every declared metric
is produced by one of the builders below and that a deployed notebook or the GKE baseline
calls that builder. Each builder returns time series for ``gcp_metrics.write``.

| metric | written by | from |
|---|---|---|
| training_throughput, training_run_seconds, inference_latency, inference_throughput | the suite (both platforms), ``suite_series`` | distributed, time_to_target, single_request, batch_request |
| training_throughput_baseline, inference_latency_baseline | the Databricks suite, ``baseline_series`` | the GCP baseline rows it ingests |
| training_throughput, training_run_seconds, gpu_utilization | the training job, ``training_series`` | its run |
| gpu_utilization | the Databricks suite, ``suite_series`` | the deployment's GPUs |
| cost_per_training_hour, cost_per_training_hour_baseline | the cost-tracking job, ``cost_series`` | cost_metrics and the billing export |
| daily_cost | the cost-tracking job, ``daily_cost_series`` | cost_metrics |
"""

from . import gcp_metrics

LABELS = {
    "gpu_utilization": ("platform", "workload", "cluster"),
    "training_throughput": ("platform", "workload", "model"),
    "training_throughput_baseline": ("model",),
    "training_run_seconds": ("platform", "workload", "model"),
    "inference_latency": ("platform", "workload", "model"),
    "inference_latency_baseline": ("model",),
    "inference_throughput": ("platform", "workload", "model"),
    "cost_per_training_hour": ("platform",),
    "cost_per_training_hour_baseline": (),
    "daily_cost": ("source",),
}

# Which benchmark's value each performance metric carries.
FROM_BENCHMARK = {
    "distributed": "training_throughput",
    "time_to_target": "training_run_seconds",
    "single_request": "inference_latency",
    "batch_request": "inference_throughput",
}
# The GCP rows that become the baselines the degradation alert compares with.
BASELINE_OF = {"distributed": "training_throughput_baseline", "single_request": "inference_latency_baseline"}

CUSTOM_PREFIX = "custom.googleapis.com/"


def metric_type(prefix, name):
    """The full metric type of a name under the job's prefix (domain/customMetrics.ts customMetricPrefix)."""
    if not isinstance(prefix, str) or not prefix.startswith(CUSTOM_PREFIX) or prefix.endswith("/"):
        raise ValueError(f"metric prefix {prefix!r}: expected custom.googleapis.com/<path>, such as custom.googleapis.com/ml")
    return f"{prefix}/{name}"


def series(prefix, name, value, labels, at, project):
    """One point of a declared metric, with exactly its label keys."""
    if name not in LABELS:
        raise ValueError(f"metric {name!r}: expected one of {', '.join(LABELS)}")
    if tuple(sorted(labels)) != tuple(sorted(LABELS[name])):
        raise ValueError(f"metric {name}: labels {sorted(labels)}; expected {sorted(LABELS[name])}")
    return gcp_metrics.gauge(metric_type(prefix, name), value, labels, at, project)


def suite_series(prefix, rows, at, project, workload="benchmark", cluster=None, gpu_utilization=None):
    """The suite's performance metrics, one point per model, from its benchmark_results rows."""
    out = []
    for row in rows:
        name = FROM_BENCHMARK.get(row["benchmark"])
        if name is not None:
            labels = {"platform": row["platform"], "workload": workload, "model": row["model"]}
            out.append(series(prefix, name, row["value"], labels, at, project))
    if gpu_utilization is not None:
        platform = rows[0]["platform"] if rows else "databricks"
        out.append(series(prefix, "gpu_utilization", gpu_utilization, {"platform": platform, "workload": workload, "cluster": cluster or "unknown"}, at, project))
    return out


def baseline_series(prefix, gcp_rows, at, project):
    """The GCP baselines of the alerts' metrics, from the latest GCP rows (one per model)."""
    latest = {}
    for row in gcp_rows:
        if row["platform"] == "gcp" and row["benchmark"] in BASELINE_OF:
            key = (row["benchmark"], row["model"])
            if key not in latest or str(row["run_at"]) > str(latest[key]["run_at"]):
                latest[key] = row
    return [series(prefix, BASELINE_OF[b], row["value"], {"model": model}, at, project) for (b, model), row in sorted(latest.items())]


def training_series(prefix, model, samples_per_second, seconds, gpu_utilization, cluster, at, project):
    """A training run's throughput, duration and GPU utilisation (Databricks)."""
    labels = {"platform": "databricks", "workload": "training", "model": model}
    out = [
        series(prefix, "training_throughput", samples_per_second, labels, at, project),
        series(prefix, "training_run_seconds", seconds, labels, at, project),
    ]
    if gpu_utilization is not None:
        out.append(series(prefix, "gpu_utilization", gpu_utilization, {"platform": "databricks", "workload": "training", "cluster": cluster}, at, project))
    return out


def cost_series(prefix, per_hour, baseline_per_hour, at, project):
    """Cost per training hour by platform, and the GCP baseline when it is known."""
    out = [series(prefix, "cost_per_training_hour", usd, {"platform": platform}, at, project) for platform, usd in sorted(per_hour.items())]
    if baseline_per_hour is not None:
        out.append(series(prefix, "cost_per_training_hour_baseline", baseline_per_hour, {}, at, project))
    return out


def daily_cost_series(prefix, totals, at, project):
    """Yesterday's total cost per source."""
    return [series(prefix, "daily_cost", total, {"source": source}, at, project) for source, total in sorted(totals.items())]
