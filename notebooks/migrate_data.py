# Databricks notebook source
# MAGIC %md
# MAGIC # migrate_data (seed Phase 2, Day 8-10)
# MAGIC
# MAGIC Copies the GCP side's training examples into `raw.training_examples` with `COPY INTO`,
# MAGIC reading the files in place through the read-only external location (no `/mnt` mount).
# MAGIC Idempotent: files already loaded are skipped, so the job can be retried or re-run
# MAGIC after new exports without duplicating a row.

# COMMAND ----------

dbutils.widgets.text("catalog", "")
dbutils.widgets.text("lib_path", "/Workspace/Shared/lib")
dbutils.widgets.text("source_uri", "")
dbutils.widgets.text("file_format", "PARQUET")
dbutils.widgets.text("target_table", "raw.training_examples")

import sys

sys.path.insert(0, dbutils.widgets.get("lib_path"))

from ml_migration import ingest, params

catalog = params.identifier("catalog", dbutils.widgets.get("catalog"))
statement = ingest.copy_into_sql(
    catalog,
    dbutils.widgets.get("target_table"),
    dbutils.widgets.get("source_uri"),
    dbutils.widgets.get("file_format"),
)
print(statement)

# COMMAND ----------

result = [row.asDict() for row in spark.sql(statement).collect()]
loaded = ingest.loaded_rows(result)
print(f"loaded {loaded} new rows")
dbutils.notebook.exit(str(loaded))
