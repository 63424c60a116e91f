# Databricks notebook source
# MAGIC %md
# MAGIC # training (transition plan Phase 2, Day 11-12, second task of `model_training`)
# MAGIC
# MAGIC Trains a PyTorch model on every GPU of the job cluster's workers: the driver writes the
# MAGIC latest rows of the features table to a Parquet snapshot in a Unity Catalog volume, and
# MAGIC TorchDistributor runs `ml_migration.training.train_rank` once per worker GPU
# MAGIC (DistributedDataParallel, each process reading its share of the files). The job cluster
# MAGIC is fixed at the size it pays for, so no GPU it starts sits idle but the driver's.
# MAGIC
# MAGIC The driver tracks the run with MLflow, registers the model in Unity Catalog, records the
# MAGIC version with its training throughput in `ml.models`, removes the snapshot, and with
# MAGIC `metrics_project` set writes the run's training throughput, duration and GPU utilisation
# MAGIC to Cloud Monitoring. Each process keeps to the cluster's share of GPU memory
# MAGIC (`GPU_MEMORY_FRACTION`).

# COMMAND ----------

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("lib_path", "/Workspace/Shared/lib")
dbutils.widgets.text("features_table", "curated.training_features")
dbutils.widgets.text("models_table", "ml.models")
dbutils.widgets.text("model_name", "training_model")
dbutils.widgets.text("epochs", "5")
dbutils.widgets.text("batch_size", "1024")
dbutils.widgets.text("max_rows", "2000000")
dbutils.widgets.text("gpus", "1")
dbutils.widgets.text("snapshot_volume", "curated.training_snapshots")
dbutils.widgets.text("metric_prefix", "custom.googleapis.com/ml")
dbutils.widgets.text("metrics_project", "")

import json
import sys
import uuid

lib_path = dbutils.widgets.get("lib_path")
sys.path.insert(0, lib_path)

from ml_migration import gpu, metrics, params, training

catalog = params.identifier("catalog", dbutils.widgets.get("catalog"))
features_table = params.qualified_table(catalog, dbutils.widgets.get("features_table"))
models_table = params.qualified_table(catalog, dbutils.widgets.get("models_table"))
model_name = params.identifier("model_name", dbutils.widgets.get("model_name"))
registered_model = f"{catalog}.ml.{model_name}"
epochs = params.positive_int("epochs", dbutils.widgets.get("epochs"))
batch_size = params.positive_int("batch_size", dbutils.widgets.get("batch_size"))
max_rows = params.positive_int("max_rows", dbutils.widgets.get("max_rows"))
gpus = params.positive_int("gpus", dbutils.widgets.get("gpus"))
snapshot_root = params.volume_path(catalog, dbutils.widgets.get("snapshot_volume"))
metric_prefix = dbutils.widgets.get("metric_prefix")
metrics_project = dbutils.widgets.get("metrics_project")
if metrics_project:
    metrics.metric_type(metric_prefix, "training_throughput")
memory_fraction = gpu.memory_fraction()

# COMMAND ----------

rows = spark.table(features_table).orderBy("event_time", ascending=False).limit(max_rows).select("features", "label")
if rows.isEmpty():
    dbutils.notebook.exit("no training data yet")
snapshot_dir = f"{snapshot_root}/{uuid.uuid4()}"
# One file per process at least; each reads every gpus-th file.
rows.repartition(gpus).write.parquet(snapshot_dir)

# COMMAND ----------

from pyspark.ml.torch.distributor import TorchDistributor


def training_rank(config_json, lib_path):
    import sys

    sys.path.insert(0, lib_path)
    from ml_migration import training

    return training.train_rank(config_json)


config = {"snapshot_dir": snapshot_dir, "epochs": epochs, "batch_size": batch_size, "learning_rate": 1e-3, "memory_fraction": memory_fraction}
try:
    result = TorchDistributor(num_processes=gpus, local_mode=False, use_gpu=True).run(training_rank, json.dumps(config), lib_path)
finally:
    dbutils.fs.rm(snapshot_dir, recurse=True)

# COMMAND ----------

import mlflow
import torch
from mlflow.models import infer_signature
from torch import nn

mlflow.set_registry_uri("databricks-uc")

model = nn.Sequential(nn.Linear(result["features"], 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 1))
model.load_state_dict(result["state_dict"])
model.eval()
example = torch.randn(5, result["features"])
with torch.inference_mode():
    prediction = model(example).numpy()

with mlflow.start_run() as run:
    mlflow.log_params({"epochs": epochs, "batch_size_per_gpu": batch_size, "gpus": result["gpus"], "samples": result["samples"]})
    mlflow.log_metrics({"loss": result["loss"], "training_throughput": result["throughput"], "training_seconds": result["seconds"]})
    info = mlflow.pytorch.log_model(
        model, "model", registered_model_name=registered_model, signature=infer_signature(example.numpy(), prediction), input_example=example.numpy()
    )

# COMMAND ----------

import datetime

from mlflow import MlflowClient

versions = MlflowClient().search_model_versions(f"name = '{registered_model}'")
version = max(int(v.version) for v in versions if v.run_id == run.info.run_id)
finished = datetime.datetime.now(datetime.timezone.utc)
row = training.model_row(
    model_id=registered_model,
    version=version,
    name=model_name,
    registered_model=registered_model,
    artifact_uri=info.model_uri,
    run_id=run.info.run_id,
    throughput=result["throughput"],
    metrics={"loss": result["loss"]},
    created_at=finished,
)
schema = spark.table(models_table).schema
spark.createDataFrame([tuple(row[c] for c in training.MODEL_COLUMNS)], schema).write.mode("append").saveAsTable(models_table)
print(f"{registered_model} v{version}: {result['throughput']:.0f} samples/s on {result['gpus']} GPUs in {result['seconds']:.0f} s")

# COMMAND ----------

from ml_migration import gcp_metrics

if metrics_project:
    cluster = spark.conf.get("spark.databricks.clusterUsageTags.clusterId", "unknown")
    series = metrics.training_series(metric_prefix, model_name, result["throughput"], result["seconds"], result["gpu_utilization"], cluster, finished, metrics_project)
    print(f"{gcp_metrics.write(metrics_project, series)} metric series written to {metrics_project}")
