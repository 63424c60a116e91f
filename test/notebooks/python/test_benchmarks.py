"""Unit tests of the suite's definitions and plumbing, without torch: what each benchmark is, how
rows and ratios are formed, the result files, the GCP baseline's arguments, the metric writers
and their retries. The workloads themselves run in ../python_torch (npm run test:torch)."""

import datetime as dt
import io
import json
import os
import tempfile
import unittest
import urllib.error

from ml_migration import baseline, benchmarks, gcp_http, gcp_metrics, metrics, run_files, suite, workloads

# The gates the benchmark job passes, as the TypeScript test hands them over (or the plan's).
GATES = json.loads(os.environ.get("GATES_JSON") or json.dumps({
    "trainingThroughput": {"op": ">=", "ratio": 0.95},
    "convergenceTime": {"op": "<=", "ratio": 1.05},
    "inferenceLatency": {"op": "<=", "ratio": 1.1},
    "inferenceThroughput": {"op": ">=", "ratio": 0.9},
    "totalCost": {"op": "<=", "ratio": 0.7},
    "costPerTraining": {"op": "<=", "ratio": 0.75},
}))

CONFIG = {"model": "resnet50", "batch": 128}
AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone.utc)


def run(platform, run_id="r1", run_at="2026-03-01T10:00:00Z"):
    return {"run_id": run_id, "run_at": run_at, "platform": platform, "node_type": "a2-highgpu-1g" if platform == "databricks" else "a3-highgpu-8g",
            "workers": 2 if platform == "databricks" else 1, "gpu_type": "A100" if platform == "databricks" else "H100", "runtime": "test"}


def every(value, gpus=1, model="resnet50"):
    return [benchmarks.measurement(b.name, model, value, gpus, CONFIG) for b in benchmarks.BENCHMARKS]


class DefinitionsTest(unittest.TestCase):
    def test_the_plans_suite_with_time_to_target(self):
        self.assertEqual(benchmarks.SUITE, {
            "training_throughput": ["small_batch", "large_batch", "distributed", "time_to_target"],
            "inference_latency": ["single_request", "batch_request", "streaming"],
        })

    def test_each_gate_agrees_with_its_metrics_direction(self):
        for b in benchmarks.BENCHMARKS:
            if b.gate is None:
                self.assertEqual(b.scope, benchmarks.DEVICE, b.name)
                continue
            self.assertIn(b.gate, GATES)
            self.assertEqual(GATES[b.gate]["op"], ">=" if b.better == benchmarks.HIGHER else "<=", b.name)
        held = {b.gate for b in benchmarks.BENCHMARKS} - {None}
        self.assertEqual(held, {"trainingThroughput", "convergenceTime", "inferenceLatency", "inferenceThroughput"})

    def test_measures_from_timings(self):
        self.assertAlmostEqual(benchmarks.measure("small_batch", [0.5] * 4, 32), 64.0)
        self.assertAlmostEqual(benchmarks.measure("single_request", [0.010] * 19 + [0.100]), 10.0)
        self.assertAlmostEqual(benchmarks.measure("time_to_target", [1.5, 2.5]), 4.0)
        for bad in ([], [0.5, 0.0], [float("nan")]):
            with self.assertRaises(benchmarks.BenchmarkError):
                benchmarks.measure("small_batch", bad, 32)
        with self.assertRaises(benchmarks.BenchmarkError) as caught:
            benchmarks.measure("tiny_batch", [1.0])
        self.assertIn("expected one of small_batch", str(caught.exception))

    def test_percentile_is_nearest_rank(self):
        self.assertEqual(benchmarks.percentile(list(range(1, 101)), 95), 95)
        self.assertEqual(benchmarks.percentile([5, 1, 3], 50), 3)
        with self.assertRaises(ValueError):
            benchmarks.percentile([], 95)

    def test_a_measurement_is_checked(self):
        for bad in [("small_batch", "m", -1.0, 1, {}), ("small_batch", "m", float("inf"), 1, {}), ("small_batch", "m", 1.0, 0, {}),
                    ("small_batch", "m", 1.0, 1, "x"), ("nope", "m", 1.0, 1, {})]:
            with self.assertRaises(benchmarks.BenchmarkError):
                benchmarks.measurement(*bad)


class RowsTest(unittest.TestCase):
    def test_gcp_rows_are_the_baseline(self):
        rows = benchmarks.result_rows(run("gcp"), every(100.0, gpus=8))
        self.assertEqual(len(rows), len(benchmarks.BENCHMARKS))
        for row in rows:
            self.assertEqual(list(row), benchmarks.RESULT_COLUMNS)
            self.assertEqual((row["platform"], row["ratio"], row["passed"]), ("gcp", None, None))
            self.assertEqual(row["unit"], benchmarks.CASES[row["benchmark"]].unit)

    def test_databricks_rows_compare_with_the_latest_gcp_row_of_the_same_config(self):
        old = benchmarks.result_rows(run("gcp", "old", "2026-01-01T00:00:00Z"), every(50.0, gpus=8))
        new = benchmarks.result_rows(run("gcp", "new", "2026-02-01T00:00:00Z"), every(100.0, gpus=8))
        other = benchmarks.result_rows(run("gcp", "other", "2026-02-02T00:00:00Z"),
                                       [benchmarks.measurement("distributed", "resnet50", 1.0, 8, {"model": "resnet50", "batch": 64})])
        measured = [benchmarks.measurement("distributed", "resnet50", 96.0, 2, CONFIG),
                    benchmarks.measurement("single_request", "resnet50", 120.0, 1, CONFIG),
                    benchmarks.measurement("large_batch", "resnet50", 55.0, 1, CONFIG),
                    benchmarks.measurement("streaming", "bert_base", 5.0, 2, CONFIG)]
        rows = {r["benchmark"]: r for r in benchmarks.result_rows(run("databricks"), measured, old + new + other, GATES)}
        self.assertAlmostEqual(rows["distributed"]["ratio"], 0.96)       # against "new", not "old", not the other batch
        self.assertEqual(rows["distributed"]["baseline_run_id"], "new")
        self.assertTrue(rows["distributed"]["passed"])                   # 96% of GCP throughput ≥ 95%
        self.assertFalse(rows["single_request"]["passed"])               # 120% of GCP latency > 110%
        self.assertAlmostEqual(rows["large_batch"]["ratio"], 0.55)       # compared, held by no gate
        self.assertEqual((rows["large_batch"]["gate"], rows["large_batch"]["passed"]), (None, None))
        self.assertIsNone(rows["streaming"]["ratio"])                    # no bert_base baseline: does not count
        self.assertEqual(rows["distributed"]["gpus"], 2)

    def test_all_passed_needs_every_gated_benchmark_of_every_model(self):
        base = benchmarks.result_rows(run("gcp"), every(100.0) + every(100.0, model="bert_base"))
        good = benchmarks.result_rows(run("databricks"), every(100.0) + every(100.0, model="bert_base"), base, GATES)
        self.assertTrue(benchmarks.all_passed(good))
        self.assertFalse(benchmarks.all_passed([r for r in good if not (r["benchmark"] == "streaming" and r["model"] == "bert_base")]))
        self.assertFalse(benchmarks.all_passed([]))
        # An ungated benchmark far below GCP does not block; a gated one does.
        slow = [benchmarks.measurement(m.benchmark, m.model, 40.0 if m.benchmark == "large_batch" else m.value, m.gpus, m.config) for m in every(100.0)]
        self.assertTrue(benchmarks.all_passed(benchmarks.result_rows(run("databricks"), slow, base, GATES)))

    def test_a_missing_gate_is_named(self):
        with self.assertRaises(benchmarks.BenchmarkError) as caught:
            benchmarks.result_rows(run("databricks"), every(1.0), [], {"trainingThroughput": GATES["trainingThroughput"]})
        self.assertIn("'convergenceTime'", str(caught.exception))
        with self.assertRaises(benchmarks.BenchmarkError):
            benchmarks.result_rows(run("aws"), every(1.0))

    def test_the_measured_per_gpu_throughput(self):
        base = benchmarks.result_rows(run("gcp", "g1"), every(100.0) + every(300.0, model="bert_base"))
        measured = [benchmarks.measurement("large_batch", "resnet50", 50.0, 1, CONFIG), benchmarks.measurement("large_batch", "bert_base", 180.0, 1, CONFIG)]
        per_gpu = benchmarks.per_gpu_throughput_ratio(benchmarks.result_rows(run("databricks", "d1"), measured, base, GATES))
        self.assertAlmostEqual(per_gpu["ratio"], (0.5 + 0.6) / 2)
        self.assertEqual(per_gpu["run"], "d1 vs g1")
        self.assertIsNone(benchmarks.per_gpu_throughput_ratio(base))


class RunFilesTest(unittest.TestCase):
    def doc(self, **changes):
        d = run_files.document(run("gcp", "g-1"), {"iterations": 5}, every(100.0, gpus=8), 0.9)
        d.update(changes)
        return d

    def test_written_once_and_read_back_as_baseline_rows(self):
        with tempfile.TemporaryDirectory() as out:
            where = run_files.write(out, self.doc())
            self.assertEqual(os.path.basename(where), "20260301T100000Z-g-1.json")
            with self.assertRaises(run_files.RunFileError):
                run_files.write(out, self.doc())
            self.assertEqual(os.listdir(out), ["20260301T100000Z-g-1.json"])
            with open(where) as f:
                rows = run_files.baseline_rows(f.read(), where)
        self.assertEqual({r["benchmark"] for r in rows}, set(benchmarks.CASES))
        self.assertTrue(all(r["platform"] == "gcp" and r["gpus"] == 8 and r["node_type"] == "a3-highgpu-8g" for r in rows))

    def test_uploads_to_gcs_without_replacing(self):
        calls = []

        def urlopen(request, timeout):
            calls.append(request)
            return FakeResponse(b'{"access_token": "tok"}' if "metadata" in request.full_url else b"{}")

        where = run_files.write("gs://acme-baseline/runs/", self.doc(), urlopen=urlopen)
        self.assertEqual(where, "gs://acme-baseline/runs/20260301T100000Z-g-1.json")
        self.assertEqual(calls[1].full_url, "https://storage.googleapis.com/upload/storage/v1/b/acme-baseline/o?uploadType=media&ifGenerationMatch=0&name=runs%2F20260301T100000Z-g-1.json")
        self.assertEqual(json.loads(calls[1].data)["run_id"], "g-1")
        for bad in ["s3://b/x", "gs://B/x"]:
            with self.assertRaises(run_files.RunFileError):
                run_files.write(bad, self.doc(), urlopen=urlopen)

    def test_a_bad_file_names_the_file_the_field_and_what_is_accepted(self):
        cases = [
            ("not json", "not JSON"),
            (json.dumps(self.doc(format="other/1")), "format = \"other/1\""),
            (json.dumps(self.doc(run_at="yesterday")), "run_at = \"yesterday\": expected a UTC time"),
            (json.dumps(self.doc(workers=True)), "workers = true"),
            (json.dumps(self.doc(measurements=[])), "measurements = []: expected a non-empty list"),
            (json.dumps(self.doc(measurements=[{"benchmark": "distributed", "model": "m", "value": "fast", "gpus": 8, "config": {}}])), "measurements[0]"),
            (json.dumps(self.doc(platform="databricks")), "expected \"gcp\""),
        ]
        for text, message in cases:
            with self.assertRaises(run_files.RunFileError) as caught:
                run_files.baseline_rows(text, "gs://b/x.json")
            self.assertIn("gs://b/x.json", str(caught.exception))
            self.assertIn(message, str(caught.exception))

    def test_loads_each_run_once(self):
        a = json.dumps(self.doc())
        b = json.dumps(self.doc(run_id="g-2"))
        rows = run_files.unloaded_baseline_rows([("b.json", b), ("a.json", a), ("a-copy.json", a)], loaded_run_ids=[])
        self.assertEqual(sorted({r["run_id"] for r in rows}), ["g-1", "g-2"])
        self.assertEqual(len(rows), 2 * len(benchmarks.BENCHMARKS))
        self.assertEqual(run_files.unloaded_baseline_rows([("a.json", a)], loaded_run_ids=["g-1"]), [])


class FakeResponse:
    def __init__(self, body):
        self.body = body

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def read(self):
        return self.body


def http_error(code, message):
    return urllib.error.HTTPError("https://x", code, "err", {}, io.BytesIO(json.dumps({"error": {"message": message}}).encode()))


class MetricsWriteTest(unittest.TestCase):
    def answering(self, *answers):
        """An urlopen that hands out a token, then the answers in turn (an exception is raised)."""
        calls, queue = [], list(answers)

        def urlopen(request, timeout):
            calls.append(request)
            if "metadata" in request.full_url:
                return FakeResponse(b'{"access_token": "secret-token"}')
            answer = queue.pop(0)
            if isinstance(answer, Exception):
                raise answer
            return FakeResponse(answer)

        return calls, urlopen

    def point(self, model="m"):
        return metrics.series("custom.googleapis.com/ml", "training_throughput", 1.0, {"platform": "gcp", "workload": "benchmark", "model": model}, AT, "p")

    def test_builds_a_gauge_point(self):
        self.assertEqual(self.point()["points"], [{"interval": {"endTime": "2026-03-01T10:00:00Z"}, "value": {"doubleValue": 1.0}}])
        with self.assertRaises(ValueError):
            gcp_metrics.gauge("compute.googleapis.com/instance/uptime", 1, {}, AT, "p")
        with self.assertRaises(ValueError):
            gcp_metrics.gauge("custom.googleapis.com/ml/daily_cost", 1, {}, dt.datetime(2024, 3, 21), "p")

    def test_retries_429_and_5xx_then_succeeds(self):
        calls, urlopen = self.answering(http_error(429, "quota"), http_error(503, "unavailable"), b"{}")
        slept = []
        self.assertEqual(gcp_metrics.write("p", [self.point()], urlopen=urlopen, sleep=slept.append), 1)
        posts = [c for c in calls if "monitoring" in c.full_url]
        self.assertEqual(len(posts), 3)
        self.assertEqual(posts[0].get_header("Authorization"), "Bearer secret-token")
        self.assertEqual(len(slept), 2)
        self.assertTrue(0.5 <= slept[0] <= 1.0 and 1.0 <= slept[1] <= 2.0)

    def test_gives_up_on_a_client_error_at_once_and_never_prints_the_token(self):
        calls, urlopen = self.answering(http_error(400, "Points must be written in order."))
        with self.assertRaises(gcp_http.GoogleApiError) as caught:
            gcp_metrics.write("p", [self.point()], urlopen=urlopen, sleep=lambda s: None)
        self.assertIn("HTTP 400: Points must be written in order.", str(caught.exception))
        self.assertNotIn("secret-token", str(caught.exception))
        self.assertEqual(len([c for c in calls if "monitoring" in c.full_url]), 1)

    def test_gives_up_after_the_last_attempt(self):
        _, urlopen = self.answering(*[http_error(500, "internal")] * 5)
        with self.assertRaises(gcp_http.GoogleApiError) as caught:
            gcp_metrics.write("p", [self.point()], urlopen=urlopen, sleep=lambda s: None)
        self.assertEqual(caught.exception.status, 500)

    def test_splits_into_calls_of_200_and_refuses_two_points_of_one_series(self):
        calls, urlopen = self.answering(b"{}", b"{}")
        series = [self.point(f"m{i}") for i in range(201)]
        self.assertEqual(gcp_metrics.write("p", series, urlopen=urlopen), 201)
        self.assertEqual([len(json.loads(c.data)["timeSeries"]) for c in calls if "monitoring" in c.full_url], [200, 1])
        with self.assertRaises(ValueError) as caught:
            gcp_metrics.write("p", [self.point(), self.point()], urlopen=urlopen)
        self.assertIn("one point per time series", str(caught.exception))


class MetricBuildersTest(unittest.TestCase):
    prefix = "custom.googleapis.com/ml"

    def names(self, series):
        return sorted((s["metric"]["type"].rsplit("/", 1)[1], tuple(sorted(s["metric"]["labels"].items()))) for s in series)

    def test_the_suite_writes_one_point_per_metric_and_model(self):
        gcp = benchmarks.result_rows(run("gcp"), every(100.0, gpus=8) + every(200.0, gpus=8, model="bert_base"))
        db = benchmarks.result_rows(run("databricks"), every(90.0) + every(190.0, model="bert_base"), gcp, GATES)
        series = metrics.suite_series(self.prefix, db, AT, "p", cluster="0301-abc", gpu_utilization=0.9)
        self.assertEqual(sorted({n for n, _ in self.names(series)}),
                         ["gpu_utilization", "inference_latency", "inference_throughput", "training_run_seconds", "training_throughput"])
        self.assertEqual(len(series), 4 * 2 + 1)
        gcp_metrics.write("p", series, urlopen=lambda r, timeout: FakeResponse(b'{"access_token": "t"}' if "metadata" in r.full_url else b"{}"))
        baselines = metrics.baseline_series(self.prefix, gcp + db, AT, "p")
        self.assertEqual(self.names(baselines), [
            ("inference_latency_baseline", (("model", "bert_base"),)), ("inference_latency_baseline", (("model", "resnet50"),)),
            ("training_throughput_baseline", (("model", "bert_base"),)), ("training_throughput_baseline", (("model", "resnet50"),)),
        ])

    def test_every_metric_has_exactly_its_labels(self):
        with self.assertRaises(ValueError) as caught:
            metrics.series(self.prefix, "training_throughput", 1, {"platform": "gcp", "model": "m"}, AT, "p")
        self.assertIn("expected ['model', 'platform', 'workload']", str(caught.exception))
        with self.assertRaises(ValueError):
            metrics.series(self.prefix, "throughput", 1, {}, AT, "p")
        for bad in ["custom.googleapis.com/ml/", "workload.googleapis.com/ml", ""]:
            with self.assertRaises(ValueError):
                metrics.metric_type(bad, "daily_cost")

    def test_training_and_cost_writers(self):
        training = metrics.training_series(self.prefix, "training_model", 1200.0, 600.0, 0.88, "c-1", AT, "p")
        self.assertEqual([n for n, _ in self.names(training)], ["gpu_utilization", "training_run_seconds", "training_throughput"])
        cost = metrics.cost_series(self.prefix, {"gcp": 20.0, "databricks": 12.0}, 25.0, AT, "p")
        self.assertEqual(self.names(cost), [("cost_per_training_hour", (("platform", "databricks"),)), ("cost_per_training_hour", (("platform", "gcp"),)),
                                            ("cost_per_training_hour_baseline", ())])
        self.assertEqual(len(metrics.cost_series(self.prefix, {}, None, AT, "p")), 0)
        self.assertEqual(self.names(metrics.daily_cost_series(self.prefix, {"gcp": 700.0}, AT, "p")), [("daily_cost", (("source", "gcp"),))])


class SettingsTest(unittest.TestCase):
    def test_defaults_are_the_standard_workloads_at_full_size(self):
        s = suite.settings()
        self.assertEqual(sorted(s["models"]), ["bert_base", "resnet50"])
        self.assertEqual(workloads.resolve("resnet50")[1]["blocks"], [3, 4, 6, 3])
        self.assertEqual(workloads.resolve("bert_base")[1]["hidden"], 768)

    def test_bad_settings_name_the_setting_the_value_and_what_is_accepted(self):
        cases = [
            ({"precision": "fp8"}, "setting precision = \"fp8\": expected one of fp32, bf16, fp16"),
            ({"models": {"resnet": {}}}, "expected one of resnet50, bert_base"),
            ({"models": {"resnet50": {"width": 0}}}, "size width = 0"),
            ({"models": {"bert_base": {"hidden": 100, "heads": 12}}}, "not a multiple of heads"),
            ({"batch": {"single_request": 4}}, "setting batch.single_request = 4"),
            ({"batch": {"huge": 4}}, "benchmark 'huge'"),
            ({"iterations": 0}, "setting iterations = 0: expected a positive integer"),
            ({"target_fraction": 1.5}, "setting target_fraction = 1.5"),
            ({"iters": 3}, "unknown setting(s) iters"),
        ]
        for overrides, message in cases:
            with self.assertRaises(benchmarks.BenchmarkError) as caught:
                suite.settings(overrides)
            self.assertIn(message, str(caught.exception))
        self.assertEqual(suite.settings({"models": {"acme.models:ranker": {"depth": 4}}})["models"], {"acme.models:ranker": {"depth": 4}})


class BaselineArgumentsTest(unittest.TestCase):
    base = ["--output", "gs://acme-baseline/runs", "--machine-type", "a3-highgpu-8g", "--image", "us-docker.pkg.dev/acme/ml/bench:1"]

    def test_reads_options_and_the_environment(self):
        args = baseline.arguments(["--models", "resnet50", "--iterations", "20", "--gpus", "8", "--run-id", "weekly-1"],
                                  {"BASELINE_OUTPUT": "gs://acme-baseline/runs", "NODE_MACHINE_TYPE": "a3-highgpu-8g",
                                   "BENCHMARK_IMAGE": "img:1", "GPU_MEMORY_FRACTION": "0.85"})
        self.assertEqual((args["output"], args["machine_type"], args["image"], args["gpus"], args["run_id"]),
                         ("gs://acme-baseline/runs", "a3-highgpu-8g", "img:1", 8, "weekly-1"))
        self.assertEqual(list(args["settings"]["models"]), ["resnet50"])
        self.assertEqual((args["settings"]["iterations"], args["settings"]["memory_fraction"]), (20, 0.85))
        self.assertIsNone(args["metrics_project"])

    def test_bad_arguments_exit_2_naming_the_option(self):
        cases = [
            ([], "--output is required"),
            (self.base + ["--gpus", "0"], "--gpus '0': expected a positive integer"),
            (self.base + ["--iterations", "many"], "--iterations 'many'"),
            (self.base + ["--settings", "[1]"], "--settings '[1]': expected a JSON object"),
            (self.base + ["--models", "resnet"], "model 'resnet'"),
            (self.base + ["--run-id", "a/b"], "run_id 'a/b'"),
            (self.base + ["--metrics-project", "p", "--metric-prefix", "ml"], "metric prefix 'ml'"),
        ]
        for argv, message in cases:
            with self.assertRaises(SystemExit) as caught:
                baseline.arguments(argv, {})
            self.assertIn(message, str(caught.exception.code))
        err = io.StringIO()
        from contextlib import redirect_stderr

        with redirect_stderr(err):
            self.assertEqual(baseline.main(self.base + ["--gpus", "-1"], {}), 2)
        self.assertIn("--gpus '-1'", err.getvalue())


if __name__ == "__main__":
    unittest.main()
