"""The GCP performance baseline: the benchmark suite on the GKE H100 pool (``platform = 'gcp'``).

    python -m ml_migration.baseline --output gs://BUCKET/baseline --machine-type a3-highgpu-8g \\
        --image IMAGE [--gpus 8] [--models resnet50,bert_base] [--iterations 50] \\
        [--settings '{"precision": "bf16"}'] [--run-id ID] [--metrics-project PROJECT]

The same code as the Databricks suite (``ml_migration.suite``): device-scope benchmarks on
GPU 0, deployment-scope ones over ``--gpus`` local processes (NCCL). One result file per run
(``ml_migration.run_files``) goes to ``--output``; the phase-1 suite loads it into
``benchmark_results``. Each option can come from the environment instead (``BASELINE_OUTPUT``,
``NODE_MACHINE_TYPE``, ``BENCHMARK_IMAGE``, ``BASELINE_GPUS``, ``BENCHMARK_MODELS``,
``BENCHMARK_SETTINGS``, ``METRICS_PROJECT``); ``GPU_MEMORY_FRACTION`` caps each process's
share of GPU memory when set. With ``--metrics-project`` the run's metrics are also written
to Cloud Monitoring (once the project declares them).

Exit status: 0 written, 2 bad arguments (nothing run), 1 the run failed (no file written) or
the metrics could not be written (the file stands; the message says where).
"""

import argparse
import datetime as dt
import json
import os
import sys
import uuid

from . import benchmarks, gcp_metrics, gpu, metrics, run_files


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        self.print_usage(sys.stderr)
        raise SystemExit(f"baseline: {message}")


def _parser(environ):
    p = _Parser(prog="python -m ml_migration.baseline", description="Runs the benchmark suite as the GCP baseline and writes one result file.")
    env = lambda key, default=None: environ.get(key) or default  # noqa: E731
    p.add_argument("--output", default=env("BASELINE_OUTPUT"), help="gs://bucket[/prefix] or a local folder (env BASELINE_OUTPUT)")
    p.add_argument("--machine-type", default=env("NODE_MACHINE_TYPE"), help="the node's machine type, such as a3-highgpu-8g (env NODE_MACHINE_TYPE)")
    p.add_argument("--image", default=env("BENCHMARK_IMAGE"), help="the container image the run uses (env BENCHMARK_IMAGE)")
    p.add_argument("--gpus", default=env("BASELINE_GPUS"), help="processes for the deployment-scope benchmarks (default: every visible GPU, or 1)")
    p.add_argument("--models", default=env("BENCHMARK_MODELS"), help="comma-separated: resnet50, bert_base or package.module:factory")
    p.add_argument("--iterations", default=None, help="timed steps per benchmark")
    p.add_argument("--settings", default=env("BENCHMARK_SETTINGS", "{}"), help="JSON object of suite settings (ml_migration.suite.DEFAULTS)")
    p.add_argument("--run-id", default=None, help="the run's ID (default: a new UUID)")
    p.add_argument("--metrics-project", default=env("METRICS_PROJECT"), help="also write the run's custom metrics to this project")
    p.add_argument("--metric-prefix", default=env("METRIC_PREFIX", "custom.googleapis.com/ml"))
    return p


def arguments(argv, environ):
    """The validated run: every problem is a SystemExit naming the option, its value and what is accepted."""
    a = _parser(environ).parse_args(argv)
    for option, value in (("--output", a.output), ("--machine-type", a.machine_type), ("--image", a.image)):
        if not value:
            raise SystemExit(f"baseline: {option} is required (or its environment variable): results must say where they go and what they ran on")
    try:
        overrides = json.loads(a.settings)
    except ValueError as err:
        raise SystemExit(f"baseline: --settings {a.settings!r}: expected a JSON object ({err})") from None
    if not isinstance(overrides, dict):
        raise SystemExit(f"baseline: --settings {a.settings!r}: expected a JSON object")
    if a.models:
        overrides["models"] = {name.strip(): overrides.get("models", {}).get(name.strip(), {}) for name in a.models.split(",") if name.strip()}
    if a.iterations is not None:
        if not a.iterations.isdigit() or int(a.iterations) < 1:
            raise SystemExit(f"baseline: --iterations {a.iterations!r}: expected a positive integer")
        overrides["iterations"] = int(a.iterations)
    if "GPU_MEMORY_FRACTION" in environ:
        try:
            overrides["memory_fraction"] = gpu.memory_fraction(environ)
        except ValueError as err:
            raise SystemExit(f"baseline: {err}") from None
    gpus = None
    if a.gpus is not None:
        if not str(a.gpus).isdigit() or int(a.gpus) < 1:
            raise SystemExit(f"baseline: --gpus {a.gpus!r}: expected a positive integer")
        gpus = int(a.gpus)
    run_id = a.run_id or str(uuid.uuid4())
    try:
        run_files.file_name(run_id, "2000-01-01T00:00:00Z")
        from . import suite

        settings = suite.settings(overrides)
        if a.metrics_project:
            metrics.metric_type(a.metric_prefix, "training_throughput")
    except (ValueError, run_files.RunFileError) as err:
        raise SystemExit(f"baseline: {err}") from None
    return {"output": a.output, "machine_type": a.machine_type, "image": a.image, "gpus": gpus, "settings": settings,
            "run_id": run_id, "metrics_project": a.metrics_project, "metric_prefix": a.metric_prefix}


class MetricsNotWritten(RuntimeError):
    """The result file was written; the metrics were not."""


def run(args, launch=None, write_metrics=gcp_metrics.write, now=lambda: dt.datetime.now(dt.timezone.utc)):
    """Runs the suite, writes the result file, then the metrics; returns (where, rows)."""
    from . import suite

    import torch

    gpus = args["gpus"] or max(1, torch.cuda.device_count())
    measurements, utilisation = suite.run(args["settings"], launch or suite.launch_local, gpus)
    finished = now()
    run = {
        "run_id": args["run_id"], "run_at": finished.strftime("%Y-%m-%dT%H:%M:%SZ"), "platform": "gcp",
        "node_type": args["machine_type"], "workers": 1, **suite.environment(args["image"]),
    }
    where = run_files.write(args["output"], run_files.document(run, args["settings"], measurements, utilisation))
    rows = benchmarks.result_rows(run, measurements)
    if args["metrics_project"]:
        # GKE's GPU utilisation comes from its DCGM exporter, not from here.
        series = metrics.suite_series(args["metric_prefix"], rows, finished, args["metrics_project"])
        try:
            write_metrics(args["metrics_project"], series)
        except Exception as err:  # noqa: BLE001 - the file stands; say so with the failure
            raise MetricsNotWritten(f"results written to {where}; metrics not written: {err}") from err
    return where, rows


def main(argv=None, environ=None):
    environ = os.environ if environ is None else environ
    try:
        args = arguments(sys.argv[1:] if argv is None else argv, environ)
    except SystemExit as stop:
        if stop.code not in (0, None):
            print(stop.code, file=sys.stderr)
            return 2
        return 0
    try:
        where, rows = run(args)
    except MetricsNotWritten as err:
        print(f"baseline: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # noqa: BLE001 - reported with its type; nothing was written
        print(f"baseline: the run failed, nothing written: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    for row in rows:
        print(f"{row['benchmark']:<15} {row['model']:<12} {row['value']:>14.3f} {row['unit']:<10} on {row['gpus']} × {row['gpu_type']}")
    print(f"wrote {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
