"""The training task of ``model_training``: data-parallel training over every GPU of the job
cluster's workers (TorchDistributor starts ``train_rank`` once per GPU), and its bookkeeping
(throughput, versions, the row it adds to ``models``).

The driver writes the rows to train as Parquet files in a Unity Catalog volume; each process
reads its share of the files (``shard``). Shares differ by a few rows, and DistributedDataParallel
waits for every process at every step, so a process with one batch more would wait forever:
every process takes the same number of steps (``common_steps``, the smallest share's).
"""

import json
import os
import time

# Columns of the models table, in order (seed Day 8-10 table, with the project's columns).
MODEL_COLUMNS = [
    "model_id", "version", "name", "framework", "registered_model", "artifact_uri",
    "training_run_id", "training_throughput", "metrics", "source", "created_at",
]


def samples_per_second(samples, seconds):
    if seconds <= 0:
        raise ValueError(f"seconds {seconds}: expected a positive duration")
    return samples / seconds


def next_version(existing):
    """The version after the highest recorded one (1 for a new model)."""
    versions = [int(v) for v in existing]
    return max(versions, default=0) + 1


def model_row(model_id, version, name, registered_model, artifact_uri, run_id, throughput, metrics, created_at):
    """One ``models`` row for a model trained on Databricks."""
    if not model_id:
        raise ValueError("model_id: expected a non-empty identifier")
    if int(version) < 1:
        raise ValueError(f"version {version}: expected a positive integer")
    return {
        "model_id": model_id, "version": int(version), "name": name, "framework": "pytorch",
        "registered_model": registered_model, "artifact_uri": artifact_uri,
        "training_run_id": run_id, "training_throughput": float(throughput),
        "metrics": {k: float(v) for k, v in metrics.items()},
        "source": "databricks", "created_at": created_at,
    }


def shard(files, rank, world):
    """The files process ``rank`` of ``world`` reads: every world-th, so each file is read once."""
    if not files:
        raise ValueError("no training files to shard")
    if not 0 <= rank < world:
        raise ValueError(f"rank {rank}: expected 0 to {world - 1}")
    return sorted(files)[rank::world]


def steps_per_epoch(rows, batch_size):
    if batch_size < 1:
        raise ValueError(f"batch_size {batch_size}: expected a positive integer")
    return rows // batch_size


def common_steps(local_steps, all_reduce_min):
    """The steps every process takes in an epoch: the fewest any process has (all_reduce_min(int) -> int)."""
    steps = all_reduce_min(local_steps)
    if steps < 1:
        raise ValueError(f"a process has fewer rows than one batch (local steps {local_steps}); lower batch_size or use fewer GPUs")
    return steps


def read_parquet_shard(files):
    """The features (rows × width) and labels of a share of the snapshot's Parquet files."""
    import numpy as np
    import pandas as pd

    frame = pd.concat([pd.read_parquet(f, columns=["features", "label"]) for f in files], ignore_index=True)
    return np.stack(frame["features"].to_numpy()), frame["label"].to_numpy()


def train_rank(config_json, read_shard=read_parquet_shard, pattern="*.parquet"):
    """One process of the distributed training; rank 0 returns the trained weights and the run's numbers.

    ``config``: snapshot_dir, epochs, batch_size (per GPU), learning_rate, memory_fraction, seed.
    ``read_shard(files) -> (features, labels)`` reads this process's share of the files.
    """
    import glob

    import torch
    import torch.distributed as dist
    from torch import nn
    from torch.nn.parallel import DistributedDataParallel

    from .suite import GpuSampler, all_max, all_mean

    config = json.loads(config_json)
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    cuda = torch.cuda.is_available()
    device = torch.device("cuda", local_rank) if cuda else torch.device("cpu")
    if cuda:
        torch.cuda.set_device(device)
        if config.get("memory_fraction"):
            torch.cuda.set_per_process_memory_fraction(config["memory_fraction"], device)
    dist.init_process_group("nccl" if cuda else "gloo")
    try:
        rank, world = dist.get_rank(), dist.get_world_size()
        x, y = read_shard(shard(glob.glob(os.path.join(config["snapshot_dir"], pattern)), rank, world))
        features = torch.tensor(x, dtype=torch.float32)
        labels = torch.tensor(y, dtype=torch.float32).unsqueeze(1)

        def all_min(value):
            t = torch.tensor([value], dtype=torch.int64, device=device)
            dist.all_reduce(t, op=dist.ReduceOp.MIN)
            return int(t.item())

        steps = common_steps(steps_per_epoch(len(features), config["batch_size"]), all_min)
        torch.manual_seed(config.get("seed", 0))
        model = nn.Sequential(nn.Linear(features.shape[1], 512), nn.ReLU(), nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 1)).to(device)
        ddp = DistributedDataParallel(model, device_ids=[local_rank] if cuda else None)
        optimiser = torch.optim.AdamW(ddp.parameters(), lr=config.get("learning_rate", 1e-3))
        batch = config["batch_size"]
        generator = torch.Generator().manual_seed(config.get("seed", 0) + rank)
        losses, seconds = [], 0.0
        with GpuSampler(device) as sampler:
            for _ in range(config["epochs"]):
                order = torch.randperm(len(features), generator=generator)
                if cuda:
                    torch.cuda.synchronize(device)
                start = time.perf_counter()
                for step in range(steps):
                    index = order[step * batch:(step + 1) * batch]
                    x, y = features[index].to(device, non_blocking=True), labels[index].to(device, non_blocking=True)
                    optimiser.zero_grad(set_to_none=True)
                    loss = nn.functional.mse_loss(ddp(x), y)
                    loss.backward()
                    optimiser.step()
                if cuda:
                    torch.cuda.synchronize(device)
                seconds += time.perf_counter() - start
                losses.append(float(loss.detach().cpu()))

        seconds = all_max(seconds, device)
        own = sampler.mean()
        utilisation = all_mean(-1.0 if own is None else own, device)
        if rank != 0:
            return None
        samples = steps * batch * world * config["epochs"]
        return {
            "state_dict": {k: v.detach().cpu() for k, v in model.state_dict().items()},
            "features": int(features.shape[1]),
            "samples": samples,
            "seconds": seconds,
            "throughput": samples_per_second(samples, seconds),
            "loss": losses[-1],
            "gpus": world,
            "gpu_utilization": None if utilisation < 0 else utilisation,
        }
    finally:
        dist.destroy_process_group()
