# Databricks notebook source
# MAGIC %md
# MAGIC # data_prep (seed Phase 2, Day 11-12, first task of `model_training`)
# MAGIC
# MAGIC Reads the examples the migration copied into `raw.training_examples`, keeps the latest
# MAGIC complete version of each example, and merges them into `curated.training_features`.
# MAGIC A MERGE keyed on `example_id` makes the hourly run idempotent: re-running it changes
# MAGIC nothing. Runs on the CPU job cluster with Photon.

# COMMAND ----------

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("lib_path", "/Workspace/Shared/lib")
dbutils.widgets.text("source_table", "raw.training_examples")
dbutils.widgets.text("features_table", "curated.training_features")

import sys

sys.path.insert(0, dbutils.widgets.get("lib_path"))

from ml_migration import params

catalog = params.identifier("catalog", dbutils.widgets.get("catalog"))
source_table = params.qualified_table(catalog, dbutils.widgets.get("source_table"))
features_table = params.qualified_table(catalog, dbutils.widgets.get("features_table"))

# COMMAND ----------

from pyspark.sql import Window
from pyspark.sql import functions as F

raw = spark.table(source_table)
latest_first = Window.partitionBy("example_id").orderBy(F.col("event_time").desc_nulls_last(), F.col("source_file").desc())
prepared = (
    raw.where(F.col("example_id").isNotNull() & F.col("label").isNotNull() & F.col("features").isNotNull())
    .where(F.size("features") > 0)
    .withColumn("_rank", F.row_number().over(latest_first))
    .where(F.col("_rank") == 1)
    .select("example_id", "features", "label", "event_time", F.current_timestamp().alias("prepared_at"))
)
prepared.createOrReplaceTempView("prepared_examples")

# COMMAND ----------

result = spark.sql(
    f"""
    MERGE INTO {features_table} AS target
    USING prepared_examples AS source
    ON target.example_id = source.example_id
    WHEN MATCHED AND source.event_time > target.event_time THEN UPDATE SET *
    WHEN NOT MATCHED THEN INSERT *
    """
)
display(result)
