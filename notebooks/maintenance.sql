-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Delta maintenance (seed Phase 2, Day 13-14 `storage`)
-- MAGIC
-- MAGIC Daily, on the serverless SQL warehouse. Liquid-clustered tables (`CLUSTER BY` keys such
-- MAGIC as the seed's `model_id, version`) are clustered by a plain `OPTIMIZE`; the raw table,
-- MAGIC which has clustering off, is still Z-ordered. `VACUUM` keeps the seed's 168 hours,
-- MAGIC the same as every table's `delta.deletedFileRetentionDuration`: never less.

-- COMMAND ----------

CREATE WIDGET TEXT catalog DEFAULT "";

-- COMMAND ----------

USE CATALOG IDENTIFIER(:catalog);

-- COMMAND ----------

OPTIMIZE ml.models;
OPTIMIZE ml.benchmark_results;
OPTIMIZE ops.cost_metrics;
OPTIMIZE curated.training_features;
OPTIMIZE raw.training_examples ZORDER BY (event_time);

-- COMMAND ----------

VACUUM ml.models RETAIN 168 HOURS;
VACUUM ml.benchmark_results RETAIN 168 HOURS;
VACUUM ops.cost_metrics RETAIN 168 HOURS;
VACUUM curated.training_features RETAIN 168 HOURS;
VACUUM raw.training_examples RETAIN 168 HOURS;
