# Databricks notebook source
# MAGIC %md
# MAGIC # Benchmark suite (seed Phase 1, Day 6-7)
# MAGIC
# MAGIC Training throughput (`small_batch`, `large_batch`, `distributed`) and inference
# MAGIC (`single_request`, `batch_request`, `streaming`) on the A100 job cluster. Each result is
# MAGIC compared with the latest GCP baseline row of the same benchmark in `benchmark_results`
# MAGIC and held to its success gate; the rows are appended to the same table.

# COMMAND ----------

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("lib_path", "/Workspace/Shared/lib")
dbutils.widgets.text("results_table", "ml.benchmark_results")
dbutils.widgets.text("gates", "{}")
dbutils.widgets.text("node_type", "")
dbutils.widgets.text("workers", "1")

import sys

sys.path.insert(0, dbutils.widgets.get("lib_path"))

from ml_migration import benchmarks, gpu, params

catalog = params.identifier("catalog", dbutils.widgets.get("catalog"))
results_table = params.qualified_table(catalog, dbutils.widgets.get("results_table"))
gates = params.json_object("gates", dbutils.widgets.get("gates"))
node_type = dbutils.widgets.get("node_type")
workers = params.positive_int("workers", dbutils.widgets.get("workers"))

# COMMAND ----------

import time

import torch
from torch import nn

fraction = gpu.memory_fraction()
gpu.apply_to_torch(torch, fraction)
device = torch.device("cuda" if torch.cuda.is_available() else "cpu")

FEATURES, HIDDEN, ITERATIONS, WARMUP = 256, 1024, 50, 5


def make_model():
    return nn.Sequential(nn.Linear(FEATURES, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, HIDDEN), nn.ReLU(), nn.Linear(HIDDEN, 1))


def timed(step, iterations=ITERATIONS, warmup=WARMUP):
    """Wall time of each call of step(), after warm-up, synchronising the GPU around it."""
    for _ in range(warmup):
        step()
    durations = []
    for _ in range(iterations):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize()
        durations.append(time.perf_counter() - start)
    return durations


def training_step(model, optimiser, batch_size):
    x = torch.randn(batch_size, FEATURES, device=device)
    y = torch.randn(batch_size, 1, device=device)

    def step():
        optimiser.zero_grad(set_to_none=True)
        loss = nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimiser.step()

    return step


measurements = {}
for benchmark in ("small_batch", "large_batch"):
    model = make_model().to(device)
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3)
    measurements[benchmark] = benchmarks.measure(benchmark, timed(training_step(model, optimiser, benchmarks.CASES[benchmark].batch_size)))

# COMMAND ----------

# Distributed: the same step under DDP on every worker's GPU, through TorchDistributor.
from pyspark.ml.torch.distributor import TorchDistributor


def distributed_durations(batch_size, iterations, warmup, features, hidden, fraction):
    import os
    import time

    import torch
    import torch.distributed as dist
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel

    dist.init_process_group("nccl")
    local_rank = int(os.environ["LOCAL_RANK"])
    torch.cuda.set_device(local_rank)
    torch.cuda.set_per_process_memory_fraction(fraction, local_rank)
    model = nn.Sequential(nn.Linear(features, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 1)).cuda()
    model = DistributedDataParallel(model, device_ids=[local_rank])
    optimiser = torch.optim.AdamW(model.parameters(), lr=1e-3)
    x = torch.randn(batch_size, features, device="cuda")
    y = torch.randn(batch_size, 1, device="cuda")
    durations = []
    for i in range(warmup + iterations):
        torch.cuda.synchronize()
        start = time.perf_counter()
        optimiser.zero_grad(set_to_none=True)
        nn.functional.mse_loss(model(x), y).backward()
        optimiser.step()
        torch.cuda.synchronize()
        if i >= warmup:
            durations.append(time.perf_counter() - start)
    world = dist.get_world_size()
    dist.destroy_process_group()
    # Each step processes batch_size examples on every process: scale to the global batch.
    return [d / world for d in durations]


per_step = TorchDistributor(num_processes=workers, local_mode=False, use_gpu=True).run(
    distributed_durations, benchmarks.CASES["distributed"].batch_size, ITERATIONS, WARMUP, FEATURES, HIDDEN, fraction
)
measurements["distributed"] = benchmarks.measure("distributed", per_step)

# COMMAND ----------

model = make_model().to(device).eval()


def inference_step(batch_size):
    x = torch.randn(batch_size, FEATURES, device=device)

    def step():
        with torch.inference_mode():
            model(x).cpu()

    return step


measurements["single_request"] = benchmarks.measure("single_request", timed(inference_step(1), iterations=200))
measurements["batch_request"] = benchmarks.measure("batch_request", timed(inference_step(benchmarks.CASES["batch_request"].batch_size)))
# Streaming: many small micro-batches, each answered before the next arrives.
measurements["streaming"] = benchmarks.measure("streaming", timed(inference_step(benchmarks.CASES["streaming"].batch_size), iterations=500))

# COMMAND ----------

import datetime
import uuid

baseline_rows = spark.sql(
    f"""
    SELECT benchmark, value FROM {results_table}
    WHERE platform = 'gcp'
    QUALIFY row_number() OVER (PARTITION BY benchmark ORDER BY run_at DESC) = 1
    """
).collect()
baselines = {row["benchmark"]: row["value"] for row in baseline_rows}

rows = benchmarks.result_rows(
    run_id=str(uuid.uuid4()),
    run_at=datetime.datetime.now(datetime.timezone.utc),
    measurements=measurements,
    baselines=baselines,
    gates=gates,
    node_type=node_type,
    workers=workers,
)
table_schema = spark.table(results_table).schema
spark.createDataFrame([tuple(r[c] for c in benchmarks.RESULT_COLUMNS) for r in rows], table_schema).write.mode("append").saveAsTable(results_table)

print(f"gates met: {benchmarks.all_passed(rows)}")
dbutils.notebook.exit("passed" if benchmarks.all_passed(rows) else "not-passed")
