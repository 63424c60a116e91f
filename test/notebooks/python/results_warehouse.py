"""Test helper (not a test module): benchmark_results rows made by the real ml_migration code,
and a SQLite stand-in for the SQL warehouse that runs the promote command's own query on them.

    python3 results_warehouse.py rows      < {"gcp": {benchmark: value}, "databricks": {benchmark: value}, "gates": {...}}
    python3 results_warehouse.py query     < {"rows": [...], "statement": "...", "parameters": {...}}

``rows`` runs the GCP side as the baseline entry point does (a run file written and read back,
loaded as the suite loads it) and the Databricks side as the suite does (its measurements
compared with those rows); the values stand in for what the torch workloads measure. ``query``
loads the rows into a table and runs the statement as given, except that the three-part table
name (which SQLite cannot address) becomes one name.
"""

import json
import re
import sqlite3
import sys
import tempfile

from ml_migration import benchmarks, run_files

MODELS = ("resnet50", "bert_base")


def config(benchmark, model):
    return {"model": model, "batch": 8, "precision": "bf16", "scope": benchmarks.CASES[benchmark].scope}


def measurements(values, gpus):
    return [
        benchmarks.measurement(name, model, value, gpus if benchmarks.CASES[name].scope == benchmarks.DEPLOYMENT else 1, config(name, model))
        for name, value in values.items() for model in MODELS
    ]


def rows(spec):
    gcp_run = {"run_id": "gke-baseline-1", "run_at": "2026-03-01T10:00:00Z", "platform": "gcp", "node_type": "a3-highgpu-8g",
               "workers": 1, "gpu_type": "NVIDIA H100 80GB HBM3", "runtime": "bench:1; torch 2.1.0; CUDA 12.1"}
    with tempfile.TemporaryDirectory() as out:
        path = run_files.write(out, run_files.document(gcp_run, {}, measurements(spec["gcp"], 8), 0.93))
        with open(path) as f:
            gcp = run_files.unloaded_baseline_rows([(path, f.read())], loaded_run_ids=[])
    db_run = {"run_id": "db-suite-1", "run_at": "2026-03-08T10:00:00Z", "platform": "databricks", "node_type": "a2-highgpu-1g",
              "workers": 16, "gpu_type": "NVIDIA A100-SXM4-40GB", "runtime": "Databricks Runtime 14.3.x-gpu-ml-scala2.12; torch 2.1.0; CUDA 12.1"}
    databricks = benchmarks.result_rows(db_run, measurements(spec["databricks"], 16), gcp, spec["gates"])
    return gcp + databricks


def query(spec):
    db = sqlite3.connect(":memory:")
    columns = benchmarks.RESULT_COLUMNS
    db.execute(f"CREATE TABLE benchmark_results ({', '.join(columns)})")
    db.executemany(f"INSERT INTO benchmark_results VALUES ({', '.join('?' for _ in columns)})",
                   [tuple(r[c] for c in columns) for r in spec["rows"]])
    statement = re.sub(r"`\w+`\.`\w+`\.`benchmark_results`", "benchmark_results", spec["statement"])
    cursor = db.execute(statement, spec["parameters"])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


if __name__ == "__main__":
    spec = json.load(sys.stdin)
    print(json.dumps({"rows": rows, "query": query}[sys.argv[1]](spec), default=str))
