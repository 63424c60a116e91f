"""The share of GPU memory a training process may claim (seed: gpu_memory_utilization 0.85).

The cluster passes it as the ``GPU_MEMORY_FRACTION`` environment variable (JAX reads
``XLA_PYTHON_CLIENT_MEM_FRACTION`` itself); PyTorch needs it applied per device.
"""

import os

ENV_VAR = "GPU_MEMORY_FRACTION"


def memory_fraction(environ=None):
    """The configured fraction, validated: above 0 and at most 1."""
    environ = os.environ if environ is None else environ
    text = environ.get(ENV_VAR)
    if text is None:
        raise ValueError(f"{ENV_VAR} is not set: the cluster's spark_env_vars should set it")
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{ENV_VAR} = {text!r}: expected a number above 0, at most 1") from None
    if not 0 < value <= 1:
        raise ValueError(f"{ENV_VAR} = {text!r}: expected a number above 0, at most 1")
    return value


def allowed_bytes(total_bytes, fraction):
    """Bytes of a device's memory a process may use at this fraction (rounded down)."""
    if total_bytes < 0:
        raise ValueError(f"total_bytes {total_bytes}: expected a non-negative size")
    return int(total_bytes * fraction)


def apply_to_torch(torch, fraction):
    """Cap every visible CUDA device at ``fraction``; returns the device indexes capped."""
    if not torch.cuda.is_available():
        return []
    devices = list(range(torch.cuda.device_count()))
    for device in devices:
        torch.cuda.set_per_process_memory_fraction(fraction, device)
    return devices
