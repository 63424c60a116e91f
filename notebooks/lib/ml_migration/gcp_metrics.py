"""Writing custom metrics to Cloud Monitoring (``projects.timeSeries.create``).

The token is the machine's (``gcp_http``); 429 and 5xx answers are retried with backoff. What
is written, under which names and labels, is ``ml_migration.metrics``; the metric descriptors
are declared by the program (domain/customMetrics.ts), and a test holds the two together.

The API takes at most 200 time series a call and at most one point per time series a call,
and a point must be newer than the series' last one. A retry after a 5xx that had in fact
written some points gets those refused as out of order; such a retry is therefore reported
with the API's message rather than passed over.
"""

import datetime as dt
import json
import urllib.request

from . import gcp_http

MONITORING_URL = "https://monitoring.googleapis.com/v3/projects/{project}/timeSeries"
MAX_SERIES_PER_CALL = 200


def gauge(metric_type, value, labels, end_time, project):
    """One GAUGE point of a custom metric on the ``global`` resource, as the API takes it."""
    if not metric_type.startswith("custom.googleapis.com/"):
        raise ValueError(f"metric type {metric_type!r}: expected a custom.googleapis.com/ metric")
    if end_time.tzinfo is None:
        raise ValueError("end_time: expected a timezone-aware datetime")
    return {
        "metric": {"type": metric_type, "labels": {k: str(v) for k, v in labels.items()}},
        "resource": {"type": "global", "labels": {"project_id": project}},
        "metricKind": "GAUGE",
        "valueType": "DOUBLE",
        "points": [
            {
                "interval": {"endTime": end_time.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")},
                "value": {"doubleValue": float(value)},
            }
        ],
    }


def _identity(series):
    return (series["metric"]["type"], tuple(sorted(series["metric"]["labels"].items())))


def write(project, series, urlopen=urllib.request.urlopen, sleep=None):
    """Writes time series in calls of at most 200; returns how many were written."""
    if not series:
        return 0
    seen = set()
    for s in series:
        key = _identity(s)
        if key in seen:
            raise ValueError(f"two points for {key[0]} {dict(key[1])}: the API takes one point per time series a call")
        seen.add(key)
    kwargs = {"urlopen": urlopen, **({"sleep": sleep} if sleep else {})}
    for start in range(0, len(series), MAX_SERIES_PER_CALL):
        chunk = series[start:start + MAX_SERIES_PER_CALL]
        gcp_http.call(
            f"writing {len(chunk)} time series to project {project}",
            MONITORING_URL.format(project=project),
            json.dumps({"timeSeries": chunk}).encode("utf-8"),
            **kwargs,
        )
    return len(series)
