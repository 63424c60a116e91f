"""A suite run as a file: what the GKE baseline writes and the Databricks suite reads back.

One JSON document per run, named ``<run_at>-<run_id>.json`` (``20260301T100000Z-<uuid>.json``)
under the output location: a local folder, or a ``gs://bucket/prefix`` written through the
Cloud Storage JSON API with the machine's identity. A file is never replaced: the upload
carries ``ifGenerationMatch=0`` and a local file is written beside and renamed into place, so
a reader sees a whole run or none of it.

    {"format": "ml_migration.benchmark_run/1", "run_id": "…", "run_at": "2026-03-01T10:00:00Z",
     "platform": "gcp", "node_type": "a3-highgpu-8g", "workers": 1,
     "gpu_type": "NVIDIA H100 80GB HBM3", "runtime": "<image>; torch 2.1.0; CUDA 12.1",
     "gpu_utilization": 0.91, "settings": {…},
     "measurements": [{"benchmark": "distributed", "model": "resnet50", "value": 21000.0, "gpus": 8, "config": {…}}, …]}
"""

import datetime as dt
import json
import os
import re
import urllib.parse

from . import benchmarks, gcp_http

FORMAT = "ml_migration.benchmark_run/1"
UPLOAD_URL = "https://storage.googleapis.com/upload/storage/v1/b/{bucket}/o?uploadType=media&ifGenerationMatch=0&name={name}"
_GCS = re.compile(r"^gs://([a-z0-9][a-z0-9._-]{1,61}[a-z0-9])(?:/(.*))?$")
RUN_FIELDS = ("run_id", "run_at", "platform", "node_type", "workers", "gpu_type", "runtime")


class RunFileError(ValueError):
    pass


def file_name(run_id, run_at):
    if not re.match(r"^[A-Za-z0-9_-]{1,64}$", str(run_id)):
        raise RunFileError(f"run_id {run_id!r}: expected 1-64 letters, digits, '-' or '_'")
    stamp = dt.datetime.strptime(run_at, "%Y-%m-%dT%H:%M:%SZ").strftime("%Y%m%dT%H%M%SZ")
    return f"{stamp}-{run_id}.json"


def document(run, settings, measurements, gpu_utilization):
    for field in RUN_FIELDS:
        if field not in run:
            raise RunFileError(f"run: no {field}")
    return {
        "format": FORMAT,
        **{field: run[field] for field in RUN_FIELDS},
        "gpu_utilization": gpu_utilization,
        "settings": settings,
        "measurements": [m._asdict() for m in measurements],
    }


def write(output, doc, urlopen=None, sleep=None):
    """Writes the run under ``output`` (folder or gs:// URI); returns where it went."""
    name = file_name(doc["run_id"], doc["run_at"])
    body = json.dumps(doc, indent=1, sort_keys=True).encode("utf-8")
    match = _GCS.match(output)
    if match:
        bucket, prefix = match.group(1), (match.group(2) or "").strip("/")
        obj = f"{prefix}/{name}" if prefix else name
        kwargs = {k: v for k, v in (("urlopen", urlopen), ("sleep", sleep)) if v is not None}
        gcp_http.call(f"uploading gs://{bucket}/{obj}", UPLOAD_URL.format(bucket=bucket, name=urllib.parse.quote(obj, safe="")), body, **kwargs)
        return f"gs://{bucket}/{obj}"
    if output.startswith(("gs://", "s3://", "dbfs:", "http")):
        raise RunFileError(f"output {output!r}: expected a local folder or gs://bucket[/prefix]")
    os.makedirs(output, exist_ok=True)
    path = os.path.join(output, name)
    if os.path.exists(path):
        raise RunFileError(f"{path} exists: a run file is never replaced")
    partial = f"{path}.partial"
    with open(partial, "wb") as f:
        f.write(body)
    os.replace(partial, path)
    return path


def _need(doc, field, kind, source, check=lambda v: True, accepted=""):
    value = doc.get(field)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool or not check(value):
        raise RunFileError(f"{source}: {field} = {json.dumps(value)}: expected {accepted or kind.__name__}")
    return value


def parse(text, source):
    """A run file's run fields and measurements, every field checked; errors name the file."""
    try:
        doc = json.loads(text)
    except ValueError as err:
        raise RunFileError(f"{source}: not JSON ({err})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RunFileError(f"{source}: format = {json.dumps(doc.get('format') if isinstance(doc, dict) else None)}: expected {FORMAT!r}")
    run = {
        "run_id": _need(doc, "run_id", str, source, lambda v: v != ""),
        "run_at": _need(doc, "run_at", str, source, lambda v: re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", v), "a UTC time such as 2026-03-01T10:00:00Z"),
        "platform": _need(doc, "platform", str, source, lambda v: v in benchmarks.PLATFORMS, f"one of {', '.join(benchmarks.PLATFORMS)}"),
        "node_type": _need(doc, "node_type", str, source),
        "workers": _need(doc, "workers", int, source, lambda v: v >= 0, "an integer ≥ 0"),
        "gpu_type": _need(doc, "gpu_type", str, source),
        "runtime": _need(doc, "runtime", str, source),
    }
    entries = _need(doc, "measurements", list, source, lambda v: len(v) > 0, "a non-empty list")
    measurements = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise RunFileError(f"{source}: measurements[{i}]: expected an object")
        try:
            measurements.append(benchmarks.measurement(entry.get("benchmark"), entry.get("model"), entry.get("value"), entry.get("gpus"), entry.get("config")))
        except benchmarks.BenchmarkError as err:
            raise RunFileError(f"{source}: measurements[{i}]: {err}") from None
    return run, measurements


def baseline_rows(text, source):
    """The benchmark_results rows of a GCP run file: the baseline, with no ratios."""
    run, measurements = parse(text, source)
    if run["platform"] != "gcp":
        raise RunFileError(f"{source}: platform = {json.dumps(run['platform'])}: expected \"gcp\" (a baseline run)")
    return benchmarks.result_rows(run, measurements)


def unloaded_baseline_rows(files, loaded_run_ids):
    """The rows of baseline files (``(path, text)`` pairs) whose run is not in the table yet.

    Loading twice is harmless: a run already there (by ``run_id``) is skipped, so the suite
    can read the whole baseline location on every run.
    """
    loaded = set(loaded_run_ids)
    out = []
    for path, text in sorted(files):
        file_rows = baseline_rows(text, path)
        if file_rows[0]["run_id"] in loaded:
            continue
        loaded.add(file_rows[0]["run_id"])
        out.extend(file_rows)
    return out
