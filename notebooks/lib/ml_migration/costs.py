"""Cost tracking (seed "Cost Tracking"): the daily cost of both platforms, for cost_metrics.

Two sources, one row per day, source, workload and currency:

- ``gcp``: the Cloud Billing detailed export in BigQuery (cost net of credits), classified
  into compute, storage and network by service and SKU. VMs that Databricks runs in the
  project carry the ``vendor=databricks`` label and count as ``databricks``: they are the
  Databricks platform's compute, billed by Google.
- ``databricks``: DBUs from ``system.billing.usage`` priced with ``system.billing.list_prices``
  at the price in force when they were used. DBUs are compute.

The SQL is plain text here so it is tested without Spark: the classification and the daily
totals run in SQLite in the unit tests, exactly as the notebook runs them in Spark SQL.
"""

import datetime as dt

# The columns of ops.cost_metrics, in order (the TypeScript table definition is the source).
COST_COLUMNS = ["date", "source", "workload", "compute_cost", "storage_cost", "network_cost", "currency", "loaded_at"]

# Ordered rules: the first category with a pattern found in "service | sku" (lowercase) wins;
# anything else is compute (VM cores and memory, GPUs, GKE, BigQuery analysis, ...).
CATEGORY_RULES = (
    ("network", ("egress", "network", "interconnect", "cloud nat", "load balanc", "ip address", "vpn", "download", "data transfer")),
    ("storage", ("cloud storage", "storage pd", "pd capacity", "ssd backed pd", "balanced pd", "hyperdisk", "snapshot", "storage")),
)

CATEGORIES = ("compute", "storage", "network")


def category(service, sku):
    """The category of one billing line, by the same rules as ``category_sql``."""
    text = f"{service or ''} | {sku or ''}".lower()
    for name, patterns in CATEGORY_RULES:
        if any(p in text for p in patterns):
            return name
    return "compute"


def category_sql(service="service", sku="sku"):
    """A SQL CASE expression classifying a row by its service and SKU columns (Spark SQL and SQLite)."""
    text = f"LOWER(COALESCE({service}, '') || ' | ' || COALESCE({sku}, ''))"
    branches = []
    for name, patterns in CATEGORY_RULES:
        for p in patterns:
            if "'" in p or "%" in p or "_" in p:
                raise ValueError(f"pattern {p!r}: LIKE wildcards and quotes are not allowed")
        condition = " OR ".join(f"{text} LIKE '%{p}%'" for p in patterns)
        branches.append(f"WHEN {condition} THEN '{name}'")
    return "CASE " + " ".join(branches) + " ELSE 'compute' END"


def gcp_daily_sql(view="billing_rows"):
    """Daily GCP cost by source, workload and currency from a flat view of the billing export.

    The view has one row per billing line: usage_date, vendor, workload, service, sku,
    net_cost (cost plus credits, which are negative) and currency.
    """
    def total(name):
        return f"SUM(CASE WHEN category = '{name}' THEN net_cost ELSE 0 END) AS {name}_cost"

    return (
        "SELECT usage_date AS date, source, COALESCE(workload, 'unlabelled') AS workload, "
        f"{', '.join(total(c) for c in CATEGORIES)}, currency "
        "FROM (SELECT *, "
        f"{category_sql()} AS category, "
        "CASE WHEN LOWER(COALESCE(vendor, '')) = 'databricks' THEN 'databricks' ELSE 'gcp' END AS source "
        f"FROM {view}) AS classified "
        "GROUP BY usage_date, source, COALESCE(workload, 'unlabelled'), currency"
    )


# DBUs priced at the list price in force when they were used (Databricks' documented join).
# Named parameters: :workspace_id, :start_date, :end_date (spark.sql(..., args=...)).
DATABRICKS_DAILY_SQL = """
SELECT
    u.usage_date AS date,
    'databricks' AS source,
    COALESCE(u.custom_tags['workload'], 'unlabelled') AS workload,
    SUM(u.usage_quantity * lp.pricing.effective_list.default) AS compute_cost,
    0 AS storage_cost,
    0 AS network_cost,
    lp.currency_code AS currency
FROM system.billing.usage AS u
JOIN system.billing.list_prices AS lp
    ON lp.sku_name = u.sku_name
    AND lp.cloud = u.cloud
    AND lp.usage_unit = u.usage_unit
    AND u.usage_end_time >= lp.price_start_time
    AND (lp.price_end_time IS NULL OR u.usage_end_time < lp.price_end_time)
WHERE u.workspace_id = :workspace_id
    AND u.usage_date BETWEEN :start_date AND :end_date
GROUP BY u.usage_date, COALESCE(u.custom_tags['workload'], 'unlabelled'), lp.currency_code
"""


def date_window(run_date, lookback_days):
    """The complete UTC days to (re)load: the ``lookback_days`` days before ``run_date``.

    Billing data for a day keeps arriving for a day or two, so each run replaces the last few
    days rather than appending one.
    """
    if not isinstance(lookback_days, int) or lookback_days < 1:
        raise ValueError(f"lookback_days {lookback_days!r}: expected a positive integer")
    end = run_date - dt.timedelta(days=1)
    return end - dt.timedelta(days=lookback_days - 1), end


def replace_where(start, end):
    """The Delta ``replaceWhere`` predicate for the window: a re-run replaces, never duplicates."""
    for d in (start, end):
        if not isinstance(d, dt.date):
            raise ValueError(f"{d!r}: expected a date")
    return f"date >= '{start.isoformat()}' AND date <= '{end.isoformat()}'"


def daily_totals(rows, day):
    """Total cost of ``day`` per source, from cost_metrics rows (dicts), for the daily_cost metric."""
    totals = {}
    for row in rows:
        if row["date"] != day:
            continue
        cost = sum(float(row[f"{c}_cost"] or 0) for c in CATEGORIES)
        totals[row["source"]] = totals.get(row["source"], 0.0) + cost
    return totals


# The workload label of training compute on both platforms (GKE training pools, Databricks
# training clusters and job clusters carry workload=training).
TRAINING_WORKLOAD = "training"


def training_cost_per_hour(rows, day):
    """Cost of one hour of the training workload on ``day``, per source: its compute cost ÷ 24.

    An hour of the day, not an hour a job ran: what training costs the platform per hour, the
    same measure on both sides and for the GCP baseline.
    """
    totals = {}
    for row in rows:
        if row["date"] == day and row["workload"] == TRAINING_WORKLOAD:
            totals[row["source"]] = totals.get(row["source"], 0.0) + float(row["compute_cost"] or 0)
    return {source: total / 24 for source, total in totals.items()}


def baseline_window(end, days):
    """The ``days`` complete days before ``end`` (the workspace's creation day): GCP ran all training then."""
    if not isinstance(end, dt.date):
        raise ValueError(f"baseline end {end!r}: expected a date")
    if not isinstance(days, int) or days < 1:
        raise ValueError(f"baseline days {days!r}: expected a positive integer")
    return end - dt.timedelta(days=days), end - dt.timedelta(days=1)


def baseline_cost_per_hour(rows, start, end):
    """The GCP baseline of cost per training hour: GCP training compute over the window's hours.

    None when the billing export has no GCP training cost in the window (it was enabled later).
    """
    days = {row["date"] for row in rows if row["source"] == "gcp" and row["workload"] == TRAINING_WORKLOAD and start <= row["date"] <= end}
    if not days:
        return None
    total = sum(float(row["compute_cost"] or 0) for row in rows if row["source"] == "gcp" and row["workload"] == TRAINING_WORKLOAD and start <= row["date"] <= end)
    return total / (len(days) * 24)
