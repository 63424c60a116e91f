# Databricks notebook source
# MAGIC %md
# MAGIC # Benchmark suite (transition plan Phase 1, Day 6-7)
# MAGIC
# MAGIC The suite of `ml_migration.benchmarks` on the A100 job cluster (`platform = 'databricks'`):
# MAGIC ResNet-50 and a BERT-base-sized encoder from random initialisation on synthetic data.
# MAGIC Device-scope benchmarks (small and large batch training, single-request latency) run on the
# MAGIC driver's A100; deployment-scope ones (distributed training, time to target, batch and
# MAGIC streaming inference) on every worker GPU through TorchDistributor.
# MAGIC
# MAGIC First it loads the GCP baseline's result files (`baseline_uri`, written by
# MAGIC `python -m ml_migration.baseline` on the GKE H100 pool) into `benchmark_results` as
# MAGIC `platform = 'gcp'` rows, skipping runs already loaded. Then each Databricks result is compared
# MAGIC with the latest GCP row of the same benchmark, model and configuration, held to its gate,
# MAGIC and appended. With `metrics_project` set it writes the suite's custom metrics.

# COMMAND ----------

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("lib_path", "/Workspace/Shared/lib")
dbutils.widgets.text("results_table", "ml.benchmark_results")
dbutils.widgets.text("gates", "{}")
dbutils.widgets.text("node_type", "")
dbutils.widgets.text("workers", "1")
dbutils.widgets.text("gpus", "1")
dbutils.widgets.text("runtime", "")
dbutils.widgets.text("settings", "{}")
dbutils.widgets.text("baseline_uri", "")
dbutils.widgets.text("metric_prefix", "custom.googleapis.com/ml")
dbutils.widgets.text("metrics_project", "")

import sys

lib_path = dbutils.widgets.get("lib_path")
sys.path.insert(0, lib_path)

from ml_migration import benchmarks, gpu, metrics, params, run_files, suite

catalog = params.identifier("catalog", dbutils.widgets.get("catalog"))
results_table = params.qualified_table(catalog, dbutils.widgets.get("results_table"))
gates = params.json_object("gates", dbutils.widgets.get("gates"))
node_type = dbutils.widgets.get("node_type")
workers = params.positive_int("workers", dbutils.widgets.get("workers"))
gpus = params.positive_int("gpus", dbutils.widgets.get("gpus"))
runtime = dbutils.widgets.get("runtime")
settings = suite.settings({**params.json_object("settings", dbutils.widgets.get("settings")), "memory_fraction": gpu.memory_fraction()})
baseline_uri = dbutils.widgets.get("baseline_uri")
metric_prefix = dbutils.widgets.get("metric_prefix")
metrics_project = dbutils.widgets.get("metrics_project")
if metrics_project:
    metrics.metric_type(metric_prefix, "training_throughput")

# COMMAND ----------

# The GCP baseline: every result file under baseline_uri not loaded yet becomes platform = 'gcp' rows.
from pyspark.sql import functions as F

if baseline_uri:
    files = [
        (row["path"], row["value"])
        for row in spark.read.text(baseline_uri.rstrip("/") + "/*.json", wholetext=True).select(F.input_file_name().alias("path"), "value").collect()
    ]
    loaded = [row["run_id"] for row in spark.sql(f"SELECT DISTINCT run_id FROM {results_table} WHERE platform = 'gcp'").collect()]
    new_rows = run_files.unloaded_baseline_rows(files, loaded)
    if new_rows:
        schema = spark.table(results_table).schema
        spark.createDataFrame([tuple(r[c] for c in benchmarks.RESULT_COLUMNS) for r in new_rows], schema).write.mode("append").saveAsTable(results_table)
    print(f"baseline: {len(files)} file(s) under {baseline_uri}, {len(new_rows)} new row(s) loaded")
else:
    print("baseline: no baseline_uri; comparing with the GCP rows already in the table")

# COMMAND ----------

# Device scope on the driver's A100.
measurements = suite.device_benchmarks(settings)

# COMMAND ----------

# Deployment scope on every worker GPU. The function runs in fresh processes on the workers:
# it puts the workspace library on their path before importing it.
from pyspark.ml.torch.distributor import TorchDistributor


def deployment_rank(settings_json, lib_path):
    import sys

    sys.path.insert(0, lib_path)
    from ml_migration import suite

    return suite.distributed_rank(settings_json)


import json

deployed = TorchDistributor(num_processes=gpus, local_mode=False, use_gpu=True).run(deployment_rank, json.dumps(settings), lib_path)
measurements += [benchmarks.measurement(**m) for m in deployed["measurements"]]

# COMMAND ----------

import datetime
import uuid

baseline_rows = [row.asDict() for row in spark.sql(f"SELECT * FROM {results_table} WHERE platform = 'gcp'").collect()]
finished = datetime.datetime.now(datetime.timezone.utc)
run = {
    "run_id": str(uuid.uuid4()), "run_at": finished, "platform": "databricks",
    "node_type": node_type, "workers": workers, **suite.environment(runtime),
}
rows = benchmarks.result_rows(run, measurements, baseline_rows, gates)
table_schema = spark.table(results_table).schema
spark.createDataFrame([tuple(r[c] for c in benchmarks.RESULT_COLUMNS) for r in rows], table_schema).write.mode("append").saveAsTable(results_table)

for r in rows:
    ratio = "no baseline" if r["ratio"] is None else f"{r['ratio']:.3f} of GCP ({'gate ' + r['gate'] + (' met' if r['passed'] else ' MISSED') if r['gate'] else 'no gate'})"
    print(f"{r['benchmark']:<15} {r['model']:<10} {r['value']:>12.2f} {r['unit']:<10} {ratio}")

per_gpu = benchmarks.per_gpu_throughput_ratio(rows)
if per_gpu:
    # What the cost model takes as the measured per-GPU throughput (migration:cost.training.measuredThroughput).
    print(f"measured A100/H100 training throughput per GPU: {per_gpu['ratio']:.3f} (run {per_gpu['run']}, models {', '.join(per_gpu['models'])})")

# COMMAND ----------

from ml_migration import gcp_metrics

if metrics_project:
    cluster = spark.conf.get("spark.databricks.clusterUsageTags.clusterId", "unknown")
    series = metrics.suite_series(metric_prefix, rows, finished, metrics_project, cluster=cluster, gpu_utilization=deployed.get("gpu_utilization"))
    series += metrics.baseline_series(metric_prefix, baseline_rows, finished, metrics_project)
    print(f"{gcp_metrics.write(metrics_project, series)} metric series written to {metrics_project}")

passed = benchmarks.all_passed(rows)
print(f"gates met: {passed}")
dbutils.notebook.exit("passed" if passed else "not-passed")
