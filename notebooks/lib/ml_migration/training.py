"""Bookkeeping of the training task: throughput, versions and the row it adds to ``models``."""

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
