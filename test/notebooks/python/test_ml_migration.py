"""Unit tests of the ml_migration package the notebooks import (no Spark, no GPU needed)."""

import datetime as dt
import json
import os
import sqlite3
import sys
import unittest
from types import SimpleNamespace

from ml_migration import benchmarks, costs, gcp_metrics, gpu, ingest, params, training

# The gates the benchmark job passes, as the TypeScript test hands them over (or the seed's).
GATES = json.loads(os.environ.get("GATES_JSON") or json.dumps({
    "trainingThroughput": {"op": ">=", "ratio": 0.95},
    "convergenceTime": {"op": "<=", "ratio": 1.05},
    "inferenceLatency": {"op": "<=", "ratio": 1.1},
    "inferenceThroughput": {"op": ">=", "ratio": 0.9},
    "totalCost": {"op": "<=", "ratio": 0.7},
    "costPerTraining": {"op": "<=", "ratio": 0.75},
}))


class ParamsTest(unittest.TestCase):
    def test_identifiers_pass_and_injection_fails(self):
        self.assertEqual(params.identifier("catalog", "ml_dev"), "ml_dev")
        for bad in ["ml-dev", "1ml", "ml_dev; DROP TABLE x", "", None, "`ml`"]:
            with self.assertRaises(ValueError) as caught:
                params.identifier("catalog", bad)
            self.assertIn("parameter catalog", str(caught.exception))

    def test_qualified_table(self):
        self.assertEqual(params.qualified_table("ml_dev", "ml.models"), "`ml_dev`.`ml`.`models`")
        with self.assertRaises(ValueError):
            params.qualified_table("ml_dev", "models")
        with self.assertRaises(ValueError):
            params.qualified_table("ml_dev", "ml.models.extra")

    def test_json_object_and_positive_int(self):
        self.assertEqual(params.json_object("gates", '{"a": 1}'), {"a": 1})
        for bad in ["[1]", "nope", ""]:
            with self.assertRaises(ValueError):
                params.json_object("gates", bad)
        self.assertEqual(params.positive_int("workers", "2"), 2)
        for bad in ["0", "-1", "two"]:
            with self.assertRaises(ValueError):
                params.positive_int("workers", bad)


class GpuTest(unittest.TestCase):
    def test_reads_the_fraction_the_cluster_sets(self):
        self.assertEqual(gpu.memory_fraction({"GPU_MEMORY_FRACTION": "0.85"}), 0.85)
        for bad in ["0", "1.2", "-0.5", "most"]:
            with self.assertRaises(ValueError) as caught:
                gpu.memory_fraction({"GPU_MEMORY_FRACTION": bad})
            self.assertIn("expected a number above 0, at most 1", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            gpu.memory_fraction({})
        self.assertIn("spark_env_vars", str(caught.exception))

    def test_allowed_bytes_of_an_a100(self):
        self.assertEqual(gpu.allowed_bytes(40 * 2**30, 0.85), int(40 * 2**30 * 0.85))
        self.assertEqual(gpu.allowed_bytes(80 * 2**30, 1.0), 80 * 2**30)

    def test_caps_every_visible_device(self):
        calls = []
        cuda = SimpleNamespace(
            is_available=lambda: True,
            device_count=lambda: 2,
            set_per_process_memory_fraction=lambda f, d: calls.append((f, d)),
        )
        self.assertEqual(gpu.apply_to_torch(SimpleNamespace(cuda=cuda), 0.85), [0, 1])
        self.assertEqual(calls, [(0.85, 0), (0.85, 1)])
        no_gpu = SimpleNamespace(cuda=SimpleNamespace(is_available=lambda: False))
        self.assertEqual(gpu.apply_to_torch(no_gpu, 0.85), [])


class BenchmarksTest(unittest.TestCase):
    def test_the_suite_is_the_seeds(self):
        self.assertEqual(benchmarks.SUITE, {
            "training_throughput": ["small_batch", "large_batch", "distributed"],
            "inference_latency": ["single_request", "batch_request", "streaming"],
        })
        listed = [b for names in benchmarks.SUITE.values() for b in names]
        self.assertEqual(sorted(listed), sorted(benchmarks.CASES))
        for name, case in benchmarks.CASES.items():
            self.assertIn(name, benchmarks.SUITE[case.category])
            self.assertIn(case.gate, GATES)

    def test_percentile_is_nearest_rank(self):
        values = list(range(1, 101))
        self.assertEqual(benchmarks.percentile(values, 95), 95)
        self.assertEqual(benchmarks.percentile(values, 100), 100)
        self.assertEqual(benchmarks.percentile([3.0], 95), 3.0)
        self.assertEqual(benchmarks.percentile([5, 1, 3], 50), 3)
        with self.assertRaises(ValueError):
            benchmarks.percentile([], 95)

    def test_measure_throughput_and_latency(self):
        # 4 iterations of 32 samples in 2 s: 64 samples/s.
        self.assertAlmostEqual(benchmarks.measure("small_batch", [0.5, 0.5, 0.5, 0.5]), 64.0)
        self.assertAlmostEqual(benchmarks.measure("single_request", [0.010] * 19 + [0.100]), 10.0)
        with self.assertRaises(ValueError):
            benchmarks.measure("small_batch", [0.5, 0.0])

    def test_gates_at_their_boundaries(self):
        throughput, latency = GATES["trainingThroughput"], GATES["inferenceLatency"]
        self.assertTrue(benchmarks.meets(throughput["ratio"], throughput))
        self.assertFalse(benchmarks.meets(throughput["ratio"] - 0.001, throughput))
        self.assertTrue(benchmarks.meets(latency["ratio"], latency))
        self.assertFalse(benchmarks.meets(latency["ratio"] + 0.001, latency))
        with self.assertRaises(ValueError):
            benchmarks.meets(1.0, {"op": "==", "ratio": 1})

    def test_result_rows_compare_with_the_gcp_baseline(self):
        rows = benchmarks.result_rows(
            run_id="r1", run_at="2024-03-27T00:00:00Z",
            measurements={"small_batch": 96.0, "single_request": 12.0, "streaming": 5.0},
            baselines={"small_batch": 100.0, "single_request": 10.0},
            gates=GATES, node_type="a2-highgpu-1g", workers=2,
        )
        self.assertEqual([r["benchmark"] for r in rows], ["single_request", "small_batch", "streaming"])
        by = {r["benchmark"]: r for r in rows}
        self.assertAlmostEqual(by["small_batch"]["ratio"], 0.96)
        self.assertTrue(by["small_batch"]["passed"])          # 96% of GCP throughput >= 95%
        self.assertFalse(by["single_request"]["passed"])      # 120% of GCP latency > 110%
        self.assertIsNone(by["streaming"]["passed"])          # no baseline: does not count
        for row in rows:
            self.assertEqual(list(row), benchmarks.RESULT_COLUMNS)
            self.assertEqual(row["platform"], "databricks")
        self.assertFalse(benchmarks.all_passed(rows))

    def test_all_passed_needs_every_benchmark(self):
        everything = {b: 1.0 for b in benchmarks.CASES}
        rows = benchmarks.result_rows("r", "t", everything, everything, GATES, "a2-highgpu-1g", 2)
        self.assertTrue(benchmarks.all_passed(rows))
        self.assertFalse(benchmarks.all_passed(rows[:-1]))

    def test_a_missing_gate_is_named(self):
        with self.assertRaises(ValueError) as caught:
            benchmarks.result_rows("r", "t", {"small_batch": 1.0}, {}, {}, "a2-highgpu-1g", 1)
        self.assertIn("trainingThroughput", str(caught.exception))


class TrainingTest(unittest.TestCase):
    def test_throughput_and_versions(self):
        self.assertEqual(training.samples_per_second(1000, 4), 250)
        with self.assertRaises(ValueError):
            training.samples_per_second(1000, 0)
        self.assertEqual(training.next_version([]), 1)
        self.assertEqual(training.next_version(["3", 1, 2]), 4)

    def test_model_row_has_the_models_columns(self):
        row = training.model_row("ml_dev.ml.m", 2, "m", "ml_dev.ml.m", "runs:/abc/model", "abc", 1234, {"loss": 1}, "now")
        self.assertEqual(list(row), training.MODEL_COLUMNS)
        self.assertEqual(row["metrics"], {"loss": 1.0})
        self.assertEqual(row["source"], "databricks")
        with self.assertRaises(ValueError):
            training.model_row("", 1, "m", "x", "u", "r", 1, {}, "now")
        with self.assertRaises(ValueError):
            training.model_row("m", 0, "m", "x", "u", "r", 1, {}, "now")


class IngestTest(unittest.TestCase):
    def test_copy_into_reads_the_source_in_place(self):
        sql = ingest.copy_into_sql("ml_dev", "raw.training_examples", "gs://acme-training/raw", "parquet")
        self.assertEqual(
            sql,
            "COPY INTO `ml_dev`.`raw`.`training_examples` "
            "FROM (SELECT example_id, features, label, event_time, _metadata.file_path AS source_file "
            "FROM 'gs://acme-training/raw') FILEFORMAT = PARQUET",
        )

    def test_refuses_what_could_break_out_of_the_statement(self):
        for uri in ["gs://b/x' OR 1=1 --", "/mnt/models", "dbfs:/mnt/models", "s3://b/x", "gs://b/x y"]:
            with self.assertRaises(ValueError):
                ingest.copy_into_sql("ml_dev", "raw.training_examples", uri, "PARQUET")
        with self.assertRaises(ValueError) as caught:
            ingest.copy_into_sql("ml_dev", "raw.training_examples", "gs://b/x", "xlsx")
        self.assertIn("expected one of PARQUET", str(caught.exception))
        with self.assertRaises(ValueError):
            ingest.copy_into_sql("ml-dev", "raw.training_examples", "gs://b/x", "PARQUET")

    def test_loaded_rows(self):
        self.assertEqual(ingest.loaded_rows([{"num_affected_rows": 10, "num_inserted_rows": 10}]), 10)
        self.assertEqual(ingest.loaded_rows([]), 0)


if __name__ == "__main__":
    unittest.main()


class CostsTest(unittest.TestCase):
    def test_classifies_billing_lines(self):
        self.assertEqual(costs.category("Compute Engine", "Nvidia H100 80GB GPU running in Americas"), "compute")
        self.assertEqual(costs.category("Compute Engine", "A3 Instance Core running in Americas"), "compute")
        self.assertEqual(costs.category("Compute Engine", "Hyperdisk Balanced Capacity"), "storage")
        self.assertEqual(costs.category("Compute Engine", "SSD backed PD Capacity"), "storage")
        self.assertEqual(costs.category("Cloud Storage", "Standard Storage US Regional"), "storage")
        self.assertEqual(costs.category("Cloud Storage", "Download Worldwide Destinations (excluding Asia & Australia)"), "network")
        self.assertEqual(costs.category("Networking", "Network Internet Egress from Americas to Americas"), "network")
        self.assertEqual(costs.category("Kubernetes Engine", "Regional Kubernetes Clusters"), "compute")

    def rows_db(self, rows):
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE billing_rows (usage_date TEXT, vendor TEXT, workload TEXT, service TEXT, sku TEXT, net_cost REAL, currency TEXT)")
        db.executemany("INSERT INTO billing_rows VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        return db

    def test_the_sql_classifies_exactly_as_the_python_rules(self):
        lines = [
            ("Compute Engine", "Nvidia H100 80GB GPU running in Americas"),
            ("Compute Engine", "Hyperdisk Balanced Capacity"),
            ("Cloud Storage", "Standard Storage US Regional"),
            ("Cloud Storage", "Download Worldwide Destinations"),
            ("Networking", "Cloud NAT Gateway uptime"),
            ("BigQuery", "Analysis"),
            ("BigQuery", "Active Logical Storage"),
            (None, None),
        ]
        db = sqlite3.connect(":memory:")
        db.execute("CREATE TABLE t (service TEXT, sku TEXT)")
        db.executemany("INSERT INTO t VALUES (?, ?)", lines)
        by_sql = [r[0] for r in db.execute(f"SELECT {costs.category_sql()} FROM t ORDER BY rowid")]
        self.assertEqual(by_sql, [costs.category(service, sku) for service, sku in lines])

    def test_daily_gcp_totals_by_source_workload_and_category(self):
        db = self.rows_db([
            ("2024-03-20", None, "training", "Compute Engine", "A3 Instance Core", 100.0, "USD"),
            ("2024-03-20", None, "training", "Compute Engine", "SSD backed PD Capacity", 5.0, "USD"),
            ("2024-03-20", None, "training", "Compute Engine", "A3 Instance Core", -10.0, "USD"),
            ("2024-03-20", "databricks", "training", "Compute Engine", "A2 Instance Core", 40.0, "USD"),
            ("2024-03-20", None, None, "Networking", "Network Internet Egress", 2.5, "USD"),
            ("2024-03-21", None, "training", "Compute Engine", "A3 Instance Core", 7.0, "USD"),
        ])
        cursor = db.execute(costs.gcp_daily_sql("billing_rows") + " ORDER BY date, source, workload")
        columns = [c[0] for c in cursor.description]
        self.assertEqual(columns, ["date", "source", "workload", "compute_cost", "storage_cost", "network_cost", "currency"])
        self.assertEqual(cursor.fetchall(), [
            ("2024-03-20", "databricks", "training", 40.0, 0, 0, "USD"),
            ("2024-03-20", "gcp", "training", 90.0, 5.0, 0, "USD"),
            ("2024-03-20", "gcp", "unlabelled", 0, 0, 2.5, "USD"),
            ("2024-03-21", "gcp", "training", 7.0, 0, 0, "USD"),
        ])

    def test_refuses_a_pattern_that_would_be_a_wildcard(self):
        original = costs.CATEGORY_RULES
        try:
            costs.CATEGORY_RULES = (("network", ("in_out",)),)
            with self.assertRaises(ValueError):
                costs.category_sql()
        finally:
            costs.CATEGORY_RULES = original

    def test_prices_dbus_at_the_price_in_force(self):
        sql = " ".join(costs.DATABRICKS_DAILY_SQL.split())
        for part in [
            "FROM system.billing.usage AS u JOIN system.billing.list_prices AS lp ON lp.sku_name = u.sku_name",
            "u.usage_end_time >= lp.price_start_time",
            "(lp.price_end_time IS NULL OR u.usage_end_time < lp.price_end_time)",
            "u.usage_quantity * lp.pricing.effective_list.default",
            "u.workspace_id = :workspace_id",
            "u.usage_date BETWEEN :start_date AND :end_date",
        ]:
            self.assertIn(part, sql)

    def test_window_and_replace_where(self):
        start, end = costs.date_window(dt.date(2024, 3, 22), 3)
        self.assertEqual((start, end), (dt.date(2024, 3, 19), dt.date(2024, 3, 21)))
        self.assertEqual(costs.replace_where(start, end), "date >= '2024-03-19' AND date <= '2024-03-21'")
        for bad in [0, -1, "3"]:
            with self.assertRaises(ValueError):
                costs.date_window(dt.date(2024, 3, 22), bad)
        with self.assertRaises(ValueError):
            costs.replace_where("2024-03-19' OR 1=1 --", end)

    def test_daily_totals_per_source(self):
        day = dt.date(2024, 3, 21)
        rows = [
            {"date": day, "source": "gcp", "compute_cost": 600, "storage_cost": 20, "network_cost": None},
            {"date": day, "source": "gcp", "compute_cost": 100, "storage_cost": 0, "network_cost": 5},
            {"date": day, "source": "databricks", "compute_cost": 400, "storage_cost": 0, "network_cost": 0},
            {"date": dt.date(2024, 3, 20), "source": "gcp", "compute_cost": 9999, "storage_cost": 0, "network_cost": 0},
        ]
        self.assertEqual(costs.daily_totals(rows, day), {"gcp": 725.0, "databricks": 400.0})


class GcpMetricsTest(unittest.TestCase):
    def test_builds_a_gauge_point(self):
        at = dt.datetime(2024, 3, 21, 6, 5, tzinfo=dt.timezone.utc)
        self.assertEqual(gcp_metrics.gauge("custom.googleapis.com/ml/daily_cost", 1234, {"source": "gcp"}, at, "acme-ml-dev"), {
            "metric": {"type": "custom.googleapis.com/ml/daily_cost", "labels": {"source": "gcp"}},
            "resource": {"type": "global", "labels": {"project_id": "acme-ml-dev"}},
            "metricKind": "GAUGE",
            "valueType": "DOUBLE",
            "points": [{"interval": {"endTime": "2024-03-21T06:05:00Z"}, "value": {"doubleValue": 1234.0}}],
        })
        with self.assertRaises(ValueError):
            gcp_metrics.gauge("compute.googleapis.com/instance/uptime", 1, {}, at, "p")
        with self.assertRaises(ValueError):
            gcp_metrics.gauge("custom.googleapis.com/ml/daily_cost", 1, {}, dt.datetime(2024, 3, 21), "p")

    def test_writes_with_the_metadata_servers_token(self):
        calls = []

        class Response:
            def __init__(self, body):
                self.body = body

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

            def read(self):
                return self.body

        def urlopen(request, timeout):
            calls.append(request)
            return Response(b'{"access_token": "tok"}' if "metadata" in request.full_url else b"{}")

        at = dt.datetime(2024, 3, 21, tzinfo=dt.timezone.utc)
        series = [gcp_metrics.gauge("custom.googleapis.com/ml/daily_cost", 1, {"source": "gcp"}, at, "p")]
        self.assertEqual(gcp_metrics.write("p", series, urlopen=urlopen), 1)
        self.assertEqual(calls[0].get_header("Metadata-flavor"), "Google")
        self.assertEqual(calls[1].full_url, "https://monitoring.googleapis.com/v3/projects/p/timeSeries")
        self.assertEqual(calls[1].get_header("Authorization"), "Bearer tok")
        self.assertEqual(json.loads(calls[1].data)["timeSeries"], series)
        self.assertEqual(gcp_metrics.write("p", [], urlopen=urlopen), 0)
