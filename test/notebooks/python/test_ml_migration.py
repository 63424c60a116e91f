"""Unit tests of the ml_migration package's helpers: parameters, GPU memory, training bookkeeping,
the data copy and cost tracking (no Spark, no GPU, no torch). The suite's modules: test_benchmarks.py."""

import datetime as dt
import sqlite3
import unittest
from types import SimpleNamespace

from ml_migration import costs, gpu, ingest, params, training


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
        self.assertEqual(params.volume_path("ml_dev", "curated.training_snapshots"), "/Volumes/ml_dev/curated/training_snapshots")
        for bad in ["curated", "curated.x.y", "curated.x-y", "../etc.passwd"]:
            with self.assertRaises(ValueError):
                params.volume_path("ml_dev", bad)
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


class DistributedTrainingTest(unittest.TestCase):
    def test_every_file_is_read_by_exactly_one_process(self):
        files = [f"part-{i:05d}.parquet" for i in range(7)]
        shares = [training.shard(list(reversed(files)), rank, 3) for rank in range(3)]
        self.assertEqual(sorted(f for share in shares for f in share), files)
        self.assertEqual([len(s) for s in shares], [3, 2, 2])
        with self.assertRaises(ValueError):
            training.shard([], 0, 1)
        with self.assertRaises(ValueError):
            training.shard(files, 3, 3)

    def test_every_process_takes_the_fewest_steps_any_process_has(self):
        # Shares of 1,030, 1,000 and 990 rows at 100 a batch: 10, 10 and 9 steps; everyone takes 9,
        # or the processes with a 10th batch would wait at its all-reduce forever.
        local = [training.steps_per_epoch(rows, 100) for rows in (1030, 1000, 990)]
        self.assertEqual(local, [10, 10, 9])
        self.assertEqual([training.common_steps(n, lambda own: min(local)) for n in local], [9, 9, 9])
        with self.assertRaises(ValueError) as caught:
            training.common_steps(5, lambda own: 0)
        self.assertIn("fewer rows than one batch", str(caught.exception))


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


    def test_cost_per_training_hour_per_platform(self):
        day = dt.date(2024, 3, 21)
        rows = [
            {"date": day, "source": "gcp", "workload": "training", "compute_cost": 480, "storage_cost": 9, "network_cost": 0},
            {"date": day, "source": "gcp", "workload": "data-processing", "compute_cost": 100, "storage_cost": 0, "network_cost": 0},
            {"date": day, "source": "databricks", "workload": "training", "compute_cost": 240, "storage_cost": 0, "network_cost": 0},
            {"date": day, "source": "databricks", "workload": "training", "compute_cost": None, "storage_cost": 0, "network_cost": 0},
            {"date": dt.date(2024, 3, 20), "source": "databricks", "workload": "training", "compute_cost": 999, "storage_cost": 0, "network_cost": 0},
        ]
        self.assertEqual(costs.training_cost_per_hour(rows, day), {"gcp": 20.0, "databricks": 10.0})

    def test_the_baseline_is_gcp_training_before_the_workspace(self):
        start, last = costs.baseline_window(dt.date(2024, 3, 15), 14)
        self.assertEqual((start, last), (dt.date(2024, 3, 1), dt.date(2024, 3, 14)))
        rows = [
            {"date": dt.date(2024, 3, 13), "source": "gcp", "workload": "training", "compute_cost": 240},
            {"date": dt.date(2024, 3, 14), "source": "gcp", "workload": "training", "compute_cost": 480},
            {"date": dt.date(2024, 3, 14), "source": "gcp", "workload": "inference", "compute_cost": 1000},
            {"date": dt.date(2024, 3, 15), "source": "gcp", "workload": "training", "compute_cost": 9999},
        ]
        # Two days with GCP training cost in the window (the export started on the 13th): 720 / 48 h.
        self.assertEqual(costs.baseline_cost_per_hour(rows, start, last), 15.0)
        self.assertIsNone(costs.baseline_cost_per_hour(rows[2:], start, last))
        for bad in [(dt.date(2024, 3, 15), 0), ("2024-03-15", 14)]:
            with self.assertRaises(ValueError):
                costs.baseline_window(*bad)


if __name__ == "__main__":
    unittest.main()
