# Databricks notebook source
# MAGIC %md
# MAGIC # cost_tracking (seed "Cost Tracking", phase 3)
# MAGIC
# MAGIC Loads the daily cost of both platforms into `ops.cost_metrics`: GCP from the Cloud
# MAGIC Billing export in BigQuery, Databricks from `system.billing.usage` × `system.billing.list_prices`.
# MAGIC Each run replaces the last few complete UTC days (billing data arrives late), so a re-run
# MAGIC never duplicates a row. It then writes to Cloud Monitoring yesterday's total per source
# MAGIC (`daily_cost`) and the cost of an hour of the training workload per platform
# MAGIC (`cost_per_training_hour`, training compute ÷ 24), with its GCP baseline
# MAGIC (`cost_per_training_hour_baseline`: the same measure over the days before the Databricks
# MAGIC workspace existed, from the billing export), where the alerts and the dashboard read them.
# MAGIC The job's SQL alert tasks evaluate the $1K/day and DBU utilisation alerts after this notebook.
# MAGIC
# MAGIC The job cluster runs as the cost-tracking Google service account: it reads the billing
# MAGIC export and writes the metric with that identity, no key involved.

# COMMAND ----------

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("lib_path", "/Workspace/Shared/lib")
dbutils.widgets.text("cost_table", "ops.cost_metrics")
dbutils.widgets.text("billing_export_table", "")
dbutils.widgets.text("gcp_project", "")
dbutils.widgets.text("workspace_id", "")
dbutils.widgets.text("lookback_days", "3")
dbutils.widgets.text("metric_prefix", "custom.googleapis.com/ml")
dbutils.widgets.text("baseline_end", "")
dbutils.widgets.text("baseline_days", "14")

import datetime as dt
import sys

sys.path.insert(0, dbutils.widgets.get("lib_path"))

from ml_migration import costs, gcp_metrics, metrics, params

catalog = params.identifier("catalog", dbutils.widgets.get("catalog"))
cost_table = params.qualified_table(catalog, dbutils.widgets.get("cost_table"))
billing_export_table = dbutils.widgets.get("billing_export_table")
gcp_project = dbutils.widgets.get("gcp_project")
workspace_id = dbutils.widgets.get("workspace_id")
if not workspace_id.isdigit():
    raise ValueError(f"parameter workspace_id = {workspace_id!r}: expected the numeric workspace ID")
lookback_days = params.positive_int("lookback_days", dbutils.widgets.get("lookback_days"))
metric_prefix = dbutils.widgets.get("metric_prefix")
metrics.metric_type(metric_prefix, "daily_cost")
baseline_end_text = dbutils.widgets.get("baseline_end")
try:
    baseline_end = dt.date.fromisoformat(baseline_end_text) if baseline_end_text else None
except ValueError:
    raise ValueError(f"parameter baseline_end = {baseline_end_text!r}: expected a date such as 2026-03-01 (the workspace's creation day)") from None
baseline_days = params.positive_int("baseline_days", dbutils.widgets.get("baseline_days"))

start, end = costs.date_window(dt.datetime.now(dt.timezone.utc).date(), lookback_days)
print(f"loading {start} to {end} into {cost_table}")

# COMMAND ----------

from pyspark.sql import functions as F

def billing_rows(start, end, view):
    """The billing export's lines of the project for [start, end], flat, as the view ``view``.

    Spark pushes the time filter down to BigQuery, so each read costs only its days.
    """
    window_start = dt.datetime.combine(start, dt.time(), dt.timezone.utc)
    window_end = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), dt.timezone.utc)
    billing = (
        spark.read.format("bigquery")
        .option("table", billing_export_table)
        .load()
        .where((F.col("usage_start_time") >= F.lit(window_start)) & (F.col("usage_start_time") < F.lit(window_end)))
        .where(F.col("project.id") == gcp_project)
    )
    label = lambda key: F.expr(f"filter(labels, l -> l.key = '{key}')[0].value")
    billing.select(
        F.to_date(F.col("usage_start_time")).alias("usage_date"),
        label("vendor").alias("vendor"),
        label("workload").alias("workload"),
        F.col("service.description").alias("service"),
        F.col("sku.description").alias("sku"),
        (F.col("cost") + F.expr("aggregate(credits, CAST(0 AS DOUBLE), (total, c) -> total + c.amount)")).alias("net_cost"),
        F.col("currency"),
    ).createOrReplaceTempView(view)


billing_rows(start, end, "billing_rows")
gcp_daily = spark.sql(costs.gcp_daily_sql("billing_rows"))
databricks_daily = spark.sql(
    costs.DATABRICKS_DAILY_SQL,
    args={"workspace_id": workspace_id, "start_date": start, "end_date": end},
)

# COMMAND ----------

money = "DECIMAL(18,4)"
daily = (
    gcp_daily.unionByName(databricks_daily)
    .withColumn("loaded_at", F.current_timestamp())
    .select(
        F.col("date").cast("date"),
        "source",
        "workload",
        *[F.col(f"{c}_cost").cast(money).alias(f"{c}_cost") for c in costs.CATEGORIES],
        "currency",
        "loaded_at",
    )
    .select(*costs.COST_COLUMNS)
)
(
    daily.write.format("delta")
    .mode("overwrite")
    .option("replaceWhere", costs.replace_where(start, end))
    .saveAsTable(cost_table)
)
# What was loaded, read back once (re-evaluating `daily` would read the billing export again).
rows = [row.asDict() for row in spark.table(cost_table).where(F.col("date") == F.lit(end)).collect()]
print(f"{len(rows)} rows for {end}")

# COMMAND ----------

# The GCP baseline of cost per training hour: the days before the workspace existed.
baseline = None
if baseline_end is not None:
    baseline_start, baseline_last = costs.baseline_window(baseline_end, baseline_days)
    billing_rows(baseline_start, baseline_last, "baseline_billing_rows")
    baseline_daily = [row.asDict() for row in spark.sql(costs.gcp_daily_sql("baseline_billing_rows")).collect()]
    baseline = costs.baseline_cost_per_hour(baseline_daily, baseline_start, baseline_last)
    print(f"cost per training hour, GCP baseline {baseline_start} to {baseline_last}: {baseline}")

now = dt.datetime.now(dt.timezone.utc)
totals = costs.daily_totals(rows, end)
per_hour = costs.training_cost_per_hour(rows, end)
series = metrics.daily_cost_series(metric_prefix, totals, now, gcp_project) + metrics.cost_series(metric_prefix, per_hour, baseline, now, gcp_project)
written = gcp_metrics.write(gcp_project, series)
print(f"daily_cost for {end}: {totals}; cost per training hour: {per_hour} ({written} series written)")
dbutils.notebook.exit(str(len(rows)))
