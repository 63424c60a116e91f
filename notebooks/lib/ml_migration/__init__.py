"""Helpers the migration's Databricks notebooks import.

Pure Python (no Spark, no GPU): everything here is unit-tested outside Databricks. The
notebooks add the workspace folder holding this package to ``sys.path`` from their
``lib_path`` parameter.
"""
