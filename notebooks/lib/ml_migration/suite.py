"""Runs the benchmark suite (``ml_migration.benchmarks``) on real workloads
(``ml_migration.models``), the same code on both platforms.

Device-scope benchmarks run in the calling process on one GPU (the Databricks job cluster's
driver, an A100 node; GPU 0 of the GKE pod). Deployment-scope benchmarks run in every process
of a ``torch.distributed`` group, started by a launcher: TorchDistributor across the Databricks
workers, ``launch_local`` across the GPUs of one machine (the GKE pod, or CPU processes in the
tests). Each process reads its rank from the environment torchrun sets (RANK, LOCAL_RANK,
WORLD_SIZE, MASTER_ADDR, MASTER_PORT); rank 0 returns the suite's values.

Settings are plain JSON data (``settings()`` validates them and names what is wrong), so they
travel to every process and into every result's ``config``.
"""

import contextlib
import json
import math
import os
import pickle
import socket
import subprocess
import threading
import time

from . import benchmarks, workloads
from .benchmarks import BenchmarkError

DEFAULTS = {
    "models": {"resnet50": {}, "bert_base": {}},
    "precision": "bf16",
    "iterations": 50,
    "warmup": 5,
    # Rows per step on each GPU; time_to_target's is the global batch, split over the GPUs.
    "batch": {
        "small_batch": 32, "large_batch": 256, "distributed": 128, "time_to_target": 256,
        "single_request": 1, "batch_request": 512, "streaming": 16,
    },
    "requests": 200,
    "stream_batches": 200,
    # time_to_target: train from scratch until the smoothed loss is at most this share of the
    # loss of a uniform guess (ln of the class count).
    "target_fraction": 0.25,
    "learning_rate": 3e-4,
    "max_steps": 3000,
    "seed": 0,
    "memory_fraction": None,
}

PRECISIONS = ("fp32", "bf16", "fp16")


def _fail(name, value, accepted):
    raise BenchmarkError(f"setting {name} = {json.dumps(value)}: expected {accepted}")


def settings(overrides=None):
    """The suite's settings: the defaults with ``overrides`` applied, every value checked."""
    overrides = dict(overrides or {})
    unknown = sorted(set(overrides) - set(DEFAULTS))
    if unknown:
        raise BenchmarkError(f"unknown setting(s) {', '.join(unknown)}; expected some of {', '.join(DEFAULTS)}")
    s = {**DEFAULTS, **overrides}
    s["batch"] = {**DEFAULTS["batch"], **overrides.get("batch", {})}
    if not isinstance(s["models"], dict) or not s["models"]:
        _fail("models", s["models"], "an object of model name → size overrides, such as {\"resnet50\": {}}")
    for name, sizes in s["models"].items():
        if not isinstance(sizes, dict):
            _fail(f"models.{name}", sizes, "an object of size overrides")
        try:
            workloads.resolve(name, sizes)
        except ValueError as err:
            raise BenchmarkError(f"setting models: {err}") from None
    if s["precision"] not in PRECISIONS:
        _fail("precision", s["precision"], f"one of {', '.join(PRECISIONS)}")
    for key in ("iterations", "requests", "stream_batches", "max_steps"):
        if not isinstance(s[key], int) or s[key] < 1:
            _fail(key, s[key], "a positive integer")
    if not isinstance(s["warmup"], int) or s["warmup"] < 0:
        _fail("warmup", s["warmup"], "an integer ≥ 0")
    for name, size in s["batch"].items():
        benchmarks.case(name)
        if not isinstance(size, int) or size < 1:
            _fail(f"batch.{name}", size, "a positive integer")
    if s["batch"]["single_request"] != 1:
        _fail("batch.single_request", s["batch"]["single_request"], "1 (one request at a time)")
    if not (isinstance(s["target_fraction"], (int, float)) and 0 < s["target_fraction"] < 1):
        _fail("target_fraction", s["target_fraction"], "a number between 0 and 1")
    if not (isinstance(s["learning_rate"], (int, float)) and s["learning_rate"] > 0):
        _fail("learning_rate", s["learning_rate"], "a positive number")
    fraction = s["memory_fraction"]
    if fraction is not None and not (isinstance(fraction, (int, float)) and 0 < fraction <= 1):
        _fail("memory_fraction", fraction, "null or a number above 0, at most 1")
    return s


def _config(s, workload, benchmark, batch, **extra):
    """What a result is comparable on: model, sizes, precision, batch and scope (not iterations, not GPU count)."""
    return {"model": workload.name, "sizes": workload.sizes, "precision": s["precision"], "batch": batch,
            "scope": benchmarks.case(benchmark).scope, **extra}


def _device(local_rank=0):
    import torch

    if torch.cuda.is_available():
        torch.cuda.set_device(local_rank)
        return torch.device("cuda", local_rank)
    return torch.device("cpu")


def _sync(device):
    import torch

    if device.type == "cuda":
        torch.cuda.synchronize(device)


def _autocast(s, device):
    import torch

    if s["precision"] == "fp32":
        return contextlib.nullcontext()
    if device.type == "cpu" and s["precision"] == "fp16":
        raise BenchmarkError("setting precision = \"fp16\": not available on CPU; use bf16 or fp32")
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16 if s["precision"] == "bf16" else torch.float16)


def _timed(step, iterations, warmup, device):
    for _ in range(warmup):
        step()
    durations = []
    for _ in range(iterations):
        _sync(device)
        start = time.perf_counter()
        step()
        _sync(device)
        durations.append(time.perf_counter() - start)
    return durations


class _Trainer:
    """One optimiser step on a batch, in the suite's precision (fp16 with a loss scaler)."""

    def __init__(self, s, workload, model, device):
        import torch

        self.s, self.workload, self.model, self.device = s, workload, model, device
        self.optimiser = torch.optim.AdamW(model.parameters(), lr=s["learning_rate"])
        fp16 = s["precision"] == "fp16" and device.type == "cuda"
        self.scaler = torch.cuda.amp.GradScaler(enabled=fp16)

    def step(self, x, y):
        self.optimiser.zero_grad(set_to_none=True)
        with _autocast(self.s, self.device):
            loss = self.workload.loss(self.model(x), y)
        self.scaler.scale(loss).backward()
        self.scaler.step(self.optimiser)
        self.scaler.update()
        return loss


def _seed(s, offset=0):
    import torch

    torch.manual_seed(s["seed"] + offset)


def device_benchmarks(s, device=None):
    """small_batch, large_batch and single_request on one GPU (or the CPU), for every model."""
    import torch

    from . import models

    device = device or _device()
    if device.type == "cuda" and s["memory_fraction"] is not None:
        torch.cuda.set_per_process_memory_fraction(s["memory_fraction"], device)
    results = []
    for name, sizes in s["models"].items():
        workload = models.workload(name, sizes)
        for benchmark in ("small_batch", "large_batch"):
            batch = s["batch"][benchmark]
            _seed(s)
            trainer = _Trainer(s, workload, workload.build().to(device).train(), device)
            x, y = workload.batch(batch, device, s["seed"])
            durations = _timed(lambda: trainer.step(x, y), s["iterations"], s["warmup"], device)
            results.append(benchmarks.measurement(benchmark, name, benchmarks.measure(benchmark, durations, batch), 1, _config(s, workload, benchmark, batch)))

        _seed(s)
        model = workload.build().to(device).eval()
        request, _ = workload.batch(1, torch.device("cpu"), s["seed"])

        def answer():
            # One request as a server sees it: in from the host, the answer back to the host.
            with torch.inference_mode(), _autocast(s, device):
                model(request.to(device, non_blocking=False)).float().cpu()

        durations = _timed(answer, s["requests"], s["warmup"], device)
        results.append(benchmarks.measurement("single_request", name, benchmarks.measure("single_request", durations), 1, _config(s, workload, "single_request", 1)))
    return results


class GpuSampler:
    """Samples a GPU's utilisation (0-1) once a second in a thread, through NVML or nvidia-smi."""

    def __init__(self, device, interval_s=1.0):
        self.device, self.interval_s = device, interval_s
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _read(self):
        import torch

        try:
            return torch.cuda.utilization(self.device) / 100.0
        except Exception:  # noqa: BLE001 - NVML bindings are optional; nvidia-smi is on every GPU node
            out = subprocess.run(
                ["nvidia-smi", "--query-gpu=utilization.gpu", "--format=csv,noheader,nounits", "-i", str(self.device.index or 0)],
                capture_output=True, text=True, timeout=10, check=True,
            )
            return float(out.stdout.strip().splitlines()[0]) / 100.0

    def _run(self):
        while not self._stop.wait(self.interval_s):
            try:
                self.samples.append(self._read())
            except Exception:  # noqa: BLE001 - a missed sample must not fail the benchmark
                pass

    def __enter__(self):
        if self.device.type == "cuda":
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return False

    def mean(self):
        return sum(self.samples) / len(self.samples) if self.samples else None


def all_max(value, device):
    import torch
    import torch.distributed as dist

    t = torch.tensor([float(value)], dtype=torch.float64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.MAX)
    return float(t.item())


def all_mean(value, device):
    import torch
    import torch.distributed as dist

    t = torch.tensor([float(value)], dtype=torch.float64, device=device)
    dist.all_reduce(t)
    return float(t.item()) / dist.get_world_size()


def _deployment_benchmarks(s, workload, rank, world, device):
    import torch
    from torch.nn.parallel import DistributedDataParallel

    name = workload.name
    ddp_args = {"device_ids": [device.index]} if device.type == "cuda" else {}
    results = []

    # distributed: data-parallel training at a per-GPU batch.
    batch = s["batch"]["distributed"]
    _seed(s)
    trainer = _Trainer(s, workload, DistributedDataParallel(workload.build().to(device).train(), **ddp_args), device)
    x, y = workload.batch(batch, device, s["seed"] + rank)
    total = all_max(sum(_timed(lambda: trainer.step(x, y), s["iterations"], s["warmup"], device)), device)
    results.append(benchmarks.measurement("distributed", name, batch * world * s["iterations"] / total, world, _config(s, workload, "distributed", batch)))

    # time_to_target: the same global batch on both platforms, split over the GPUs.
    global_batch = s["batch"]["time_to_target"]
    if global_batch % world:
        raise BenchmarkError(
            f"setting batch.time_to_target = {global_batch}: not divisible by the {world} GPUs; use a multiple of the GPU count on both platforms"
        )
    per_rank = global_batch // world
    classes = workload.sizes.get("num_classes")
    if not isinstance(classes, int) or classes < 2:
        raise BenchmarkError(f"time_to_target needs a classification workload with num_classes ≥ 2; {name} has {classes!r}")
    target = s["target_fraction"] * math.log(classes)
    # Kernels and allocator warm up on a throwaway copy; the measured model starts fresh.
    warm = _Trainer(s, workload, DistributedDataParallel(workload.build().to(device).train(), **ddp_args), device)
    wx, wy = workload.learnable_batch(per_rank, device, s["seed"] + 10_000 + rank)
    for _ in range(s["warmup"]):
        warm.step(wx, wy)
    del warm
    _seed(s, 1)
    trainer = _Trainer(s, workload, DistributedDataParallel(workload.build().to(device).train(), **ddp_args), device)
    seconds, smoothed, steps = 0.0, None, 0
    while True:
        if steps >= s["max_steps"]:
            raise BenchmarkError(
                f"time_to_target ({name}): the loss was {smoothed:.4f} after {steps} steps, above the target {target:.4f}; "
                "raise max_steps or learning_rate, or lower target_fraction (the same on both platforms)"
            )
        xs, ys = workload.learnable_batch(global_batch, device, s["seed"] + steps)
        x, y = xs[rank * per_rank:(rank + 1) * per_rank], ys[rank * per_rank:(rank + 1) * per_rank]
        _sync(device)
        start = time.perf_counter()
        loss = all_mean(trainer.step(x, y).item(), device)
        seconds += time.perf_counter() - start
        steps += 1
        smoothed = loss if smoothed is None else 0.9 * smoothed + 0.1 * loss
        if smoothed <= target:
            break
    seconds = all_max(seconds, device)
    results.append(benchmarks.measurement("time_to_target", name, seconds, world, _config(
        s, workload, "time_to_target", global_batch, target_fraction=s["target_fraction"], learning_rate=s["learning_rate"], seed=s["seed"])))

    # batch_request and streaming: each GPU answers its share; the rate is all rows over the slowest GPU's time.
    _seed(s)
    model = workload.build().to(device).eval()
    batch = s["batch"]["batch_request"]
    x, _ = workload.batch(batch, device, s["seed"] + rank)

    def infer():
        with torch.inference_mode(), _autocast(s, device):
            model(x)

    total = all_max(sum(_timed(infer, s["iterations"], s["warmup"], device)), device)
    results.append(benchmarks.measurement("batch_request", name, batch * world * s["iterations"] / total, world, _config(s, workload, "batch_request", batch)))

    micro = s["batch"]["streaming"]
    events = [workload.batch(micro, torch.device("cpu"), s["seed"] + rank * 1_000_003 + i)[0] for i in range(min(s["stream_batches"], 64))]
    position = [0]

    def consume():
        with torch.inference_mode(), _autocast(s, device):
            model(events[position[0] % len(events)].to(device)).float().cpu()
        position[0] += 1

    total = all_max(sum(_timed(consume, s["stream_batches"], s["warmup"], device)), device)
    results.append(benchmarks.measurement("streaming", name, micro * world * s["stream_batches"] / total, world, _config(s, workload, "streaming", micro)))
    return results


def distributed_rank(settings_json):
    """What every process of the deployment runs; rank 0 returns the results as JSON data.

    Started by TorchDistributor on Databricks and by ``launch_local`` elsewhere; the process
    group's rank and address come from the environment they set.
    """
    import torch
    import torch.distributed as dist

    s = settings(json.loads(settings_json))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    device = _device(local_rank)
    if device.type == "cuda" and s["memory_fraction"] is not None:
        torch.cuda.set_per_process_memory_fraction(s["memory_fraction"], device)
    dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    try:
        from . import models

        rank, world = dist.get_rank(), dist.get_world_size()
        results = []
        with GpuSampler(device) as sampler:
            for name, sizes in s["models"].items():
                results.extend(_deployment_benchmarks(s, models.workload(name, sizes), rank, world, device))
        own = sampler.mean()
        utilisation = all_mean(-1.0 if own is None else own, device)
        if rank != 0:
            return None
        return {
            "measurements": [m._asdict() for m in results],
            "gpus": world,
            "gpu_utilization": None if own is None else utilisation,
        }
    finally:
        dist.destroy_process_group()


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _local_child(rank, nprocs, port, fn, args, queue):
    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(nprocs))
    try:
        # Plain pickle bytes: torch would otherwise pass tensors as shared memory this process
        # must outlive, and it exits as soon as it has answered.
        result = pickle.dumps(fn(*args))
        queue.put((rank, "ok", result))
    except BaseException as err:  # noqa: BLE001 - reported to the parent with the rank
        queue.put((rank, "error", f"{type(err).__name__}: {err}"))
        raise SystemExit(1) from None


def launch_local(fn, nprocs, *args):
    """Runs ``fn(*args)`` in ``nprocs`` processes on this machine as torchrun would; returns rank 0's value.

    A process that fails is reported with its rank and error, never as a hang or a partial result.
    """
    import multiprocessing

    if not isinstance(nprocs, int) or nprocs < 1:
        raise BenchmarkError(f"processes {nprocs!r}: expected a positive integer")
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    port = _free_port()
    processes = [context.Process(target=_local_child, args=(rank, nprocs, port, fn, args, queue)) for rank in range(nprocs)]
    for p in processes:
        p.start()
    outcomes = {}
    while len(outcomes) < nprocs:
        try:
            rank, status, value = queue.get(timeout=5)
            outcomes[rank] = (status, value)
        except Exception:  # noqa: BLE001 - queue.Empty: look for a process that died without reporting
            dead = [i for i, p in enumerate(processes) if p.exitcode not in (None, 0) and i not in outcomes]
            if dead:
                for p in processes:
                    p.terminate()
                raise BenchmarkError(f"rank {dead[0]} exited with code {processes[dead[0]].exitcode} before reporting") from None
    for p in processes:
        p.join()
    errors = [f"rank {rank}: {value}" for rank, (status, value) in sorted(outcomes.items()) if status == "error"]
    if errors:
        raise BenchmarkError("; ".join(errors))
    return pickle.loads(outcomes[0][1])


def run(s, launch, gpus, device=None):
    """The whole suite: device-scope benchmarks here, deployment-scope ones through ``launch``.

    ``launch(fn, gpus, settings_json)`` starts ``gpus`` processes and returns rank 0's value.
    Returns ``(measurements, gpu_utilization)``; utilisation is None where no GPU was sampled.
    """
    if not isinstance(gpus, int) or gpus < 1:
        raise BenchmarkError(f"gpus {gpus!r}: expected a positive integer")
    measurements = device_benchmarks(s, device)
    deployed = launch(distributed_rank, gpus, json.dumps(s))
    if not deployed or not deployed.get("measurements"):
        raise BenchmarkError("the deployment-scope benchmarks returned nothing from rank 0")
    measurements += [benchmarks.measurement(**m) for m in deployed["measurements"]]
    return measurements, deployed.get("gpu_utilization")


def environment(runtime):
    """What the results ran on: the GPU model and the runtime (image or Databricks Runtime, torch, CUDA)."""
    import torch

    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "cpu"
    cuda = torch.version.cuda or "none"
    return {"gpu_type": gpu, "runtime": f"{runtime}; torch {torch.__version__}; CUDA {cuda}"}
