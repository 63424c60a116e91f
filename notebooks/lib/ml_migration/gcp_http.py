"""Calls to Google APIs with the identity of the machine: the access token comes from the
metadata server (a Databricks cluster's ``googleServiceAccount``, a GKE pod's Workload
Identity), so no key is ever read, written or logged. Standard library only.

Transient answers are retried with truncated exponential backoff and jitter, as Google's
APIs ask: 429 (rate limit) and 500, 502, 503, 504, and a connection that fails before an
answer. Anything else is an error at once, with the API's message and never the token.
"""

import json
import random
import time
import urllib.error
import urllib.request

METADATA_TOKEN_URL = "http://metadata.google.internal/computeMetadata/v1/instance/service-accounts/default/token"
RETRIED_STATUSES = (429, 500, 502, 503, 504)


class GoogleApiError(RuntimeError):
    def __init__(self, what, status, message):
        super().__init__(f"{what}: HTTP {status}: {message}")
        self.status = status


def access_token(urlopen=urllib.request.urlopen):
    request = urllib.request.Request(METADATA_TOKEN_URL, headers={"Metadata-Flavor": "Google"})
    with urlopen(request, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))["access_token"]


def _message(err):
    try:
        body = err.read().decode("utf-8", "replace")
    except Exception:  # noqa: BLE001 - the body is only for the message
        return str(err.reason)
    try:
        return json.loads(body)["error"]["message"]
    except (ValueError, KeyError, TypeError):
        return body[:500] or str(err.reason)


def call(what, url, body, content_type="application/json", method="POST", attempts=5, base_delay_s=1.0, max_delay_s=32.0,
         urlopen=urllib.request.urlopen, sleep=time.sleep):
    """Sends ``body`` (bytes) with the machine's token; returns the answer's bytes.

    ``what`` names the call in errors (the metric write, the object upload).
    """
    token = access_token(urlopen)
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=body, method=method, headers={
            "Authorization": f"Bearer {token}", "Content-Type": content_type,
        })
        try:
            with urlopen(request, timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError as err:
            if err.code not in RETRIED_STATUSES or attempt == attempts:
                raise GoogleApiError(what, err.code, _message(err)) from None
        except urllib.error.URLError as err:
            if attempt == attempts:
                raise GoogleApiError(what, "no answer", str(err.reason)) from None
        sleep(min(max_delay_s, base_delay_s * 2 ** (attempt - 1)) * (0.5 + random.random() / 2))
    raise AssertionError("unreachable")
