"""Writing custom metrics to Cloud Monitoring from a Databricks cluster.

The cluster runs as a Google service account (``gcpAttributes.googleServiceAccount``), so the
VM's metadata server hands out its access token: no key, no client library beyond the
standard one. Metric types and labels are the contract in components/customMetrics.ts.
"""

import datetime as dt
import json
import urllib.request

METADATA_TOKEN_URL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"
MONITORING_URL = "https://monitoring.googleapis.com/v3/projects/{project}/timeSeries"


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


def access_token(urlopen=urllib.request.urlopen):
    request = urllib.request.Request(METADATA_TOKEN_URL, headers={"Metadata-Flavor": "Google"})
    with urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))["access_token"]


def write(project, series, urlopen=urllib.request.urlopen):
    """Writes time series (at most 200, the API's limit per call)."""
    if not series:
        return 0
    if len(series) > 200:
        raise ValueError(f"{len(series)} time series: expected at most 200 per call")
    token = access_token(urlopen)
    request = urllib.request.Request(
        MONITORING_URL.format(project=project),
        data=json.dumps({"timeSeries": series}).encode("utf-8"),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urlopen(request, timeout=30):
        return len(series)
