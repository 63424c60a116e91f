# Databricks notebook source
# MAGIC %md
# MAGIC # training (seed Phase 2, Day 11-12, second task of `model_training`)
# MAGIC
# MAGIC Trains a PyTorch model on the A100 job cluster (GPU ML runtime, no Photon), tracks the
# MAGIC run with MLflow, registers the model in Unity Catalog and records the version, with
# MAGIC its training throughput, in `ml.models`. The process keeps to the cluster's share of
# MAGIC GPU memory (`GPU_MEMORY_FRACTION`, seed `gpu_memory_utilization`).

# COMMAND ----------

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("lib_path", "/Workspace/Shared/lib")
dbutils.widgets.text("features_table", "curated.training_features")
dbutils.widgets.text("models_table", "ml.models")
dbutils.widgets.text("model_name", "training_model")
dbutils.widgets.text("epochs", "5")
dbutils.widgets.text("batch_size", "1024")
dbutils.widgets.text("max_rows", "2000000")

import sys

sys.path.insert(0, dbutils.widgets.get("lib_path"))

from ml_migration import gpu, params, training

catalog = params.identifier("catalog", dbutils.widgets.get("catalog"))
features_table = params.qualified_table(catalog, dbutils.widgets.get("features_table"))
models_table = params.qualified_table(catalog, dbutils.widgets.get("models_table"))
model_name = params.identifier("model_name", dbutils.widgets.get("model_name"))
registered_model = f"{catalog}.ml.{model_name}"
epochs = params.positive_int("epochs", dbutils.widgets.get("epochs"))
batch_size = params.positive_int("batch_size", dbutils.widgets.get("batch_size"))
max_rows = params.positive_int("max_rows", dbutils.widgets.get("max_rows"))

# COMMAND ----------

import numpy as np
import torch
from torch import nn

gpu.apply_to_torch(torch, gpu.memory_fraction())
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

rows = spark.table(features_table).orderBy("event_time", ascending=False).limit(max_rows).select("features", "label").toPandas()
if rows.empty:
    dbutils.notebook.exit("no training data yet")
features = torch.tensor(np.stack(rows["features"].to_numpy()), dtype=torch.float32)
labels = torch.tensor(rows["label"].to_numpy(), dtype=torch.float32).unsqueeze(1)
dataset = torch.utils.data.TensorDataset(features, labels)
loader = torch.utils.data.DataLoader(dataset, batch_size=batch_size, shuffle=True, pin_memory=device.type == "cuda")

model = nn.Sequential(nn.Linear(features.shape[1], 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 1)).to(device)
optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3)

# COMMAND ----------

import time

import mlflow
from mlflow.models import infer_signature

mlflow.set_registry_uri("databricks-uc")

with mlflow.start_run() as run:
    mlflow.log_params({"epochs": epochs, "batch_size": batch_size, "rows": len(dataset), "device": str(device)})
    samples, seconds, loss = 0, 0.0, float("nan")
    for epoch in range(epochs):
        start = time.perf_counter()
        for x, y in loader:
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            optimiser.zero_grad(set_to_none=True)
            batch_loss = nn.functional.mse_loss(model(x), y)
            batch_loss.backward()
            optimiser.step()
            samples += x.shape[0]
        if device.type == "cuda":
            torch.cuda.synchronize()
        seconds += time.perf_counter() - start
        loss = float(batch_loss.detach().cpu())
        mlflow.log_metric("loss", loss, step=epoch)
    throughput = training.samples_per_second(samples, seconds)
    mlflow.log_metric("training_throughput", throughput)

    example = features[:5].numpy()
    model.eval()
    with torch.inference_mode():
        prediction = model(features[:5].to(device)).cpu().numpy()
    info = mlflow.pytorch.log_model(
        model.cpu(), "model", registered_model_name=registered_model, signature=infer_signature(example, prediction), input_example=example
    )

# COMMAND ----------

import datetime

from mlflow import MlflowClient

versions = MlflowClient().search_model_versions(f"name = '{registered_model}'")
version = max(int(v.version) for v in versions if v.run_id == run.info.run_id)
row = training.model_row(
    model_id=registered_model,
    version=version,
    name=model_name,
    registered_model=registered_model,
    artifact_uri=info.model_uri,
    run_id=run.info.run_id,
    throughput=throughput,
    metrics={"loss": loss},
    created_at=datetime.datetime.now(datetime.timezone.utc),
)
schema = spark.table(models_table).schema
spark.createDataFrame([tuple(row[c] for c in training.MODEL_COLUMNS)], schema).write.mode("append").saveAsTable(models_table)
print(f"{registered_model} v{version}: {throughput:.0f} samples/s")
