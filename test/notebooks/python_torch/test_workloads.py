"""The suite's torch workloads at tiny sizes on CPU (gloo process groups): ResNet-50 and the
BERT-base-sized encoder, every benchmark of the suite on both "platforms" through the real
entry points, and the distributed training with uneven shares.

Needs a python with torch (Debian: apt-get install python3-torch; run with /usr/bin/python3).
Run: npm run test:torch. About a minute on two cores; kept out of npm test for that reason.
"""

import contextlib
import io
import json
import os
import tempfile
import unittest

import numpy as np
import torch

from ml_migration import baseline, benchmarks, models, run_files, suite, training, workloads

TINY = {
    "models": {
        "resnet50": {"image_size": 16, "num_classes": 4, "width": 4, "blocks": [1, 1, 1, 1]},
        "bert_base": {"vocab_size": 64, "seq_len": 8, "hidden": 16, "layers": 1, "heads": 2, "intermediate": 32, "num_classes": 4},
    },
    "precision": "fp32", "iterations": 3, "warmup": 1, "requests": 5, "stream_batches": 5,
    "batch": {"small_batch": 4, "large_batch": 8, "distributed": 4, "time_to_target": 16, "batch_request": 8, "streaming": 2},
    "learning_rate": 3e-3, "max_steps": 400, "target_fraction": 0.3,
}
GATES = {g: {"op": op, "ratio": r} for g, op, r in [
    ("trainingThroughput", ">=", 0.95), ("convergenceTime", "<=", 1.05), ("inferenceLatency", "<=", 1.1), ("inferenceThroughput", ">=", 0.9)]}


def read_npz_shard(files):
    parts = [np.load(f) for f in files]
    return np.concatenate([p["features"] for p in parts]), np.concatenate([p["label"] for p in parts])


class ModelsTest(unittest.TestCase):
    def test_the_standard_architectures_at_full_size(self):
        # ResNet-50 has 25,557,032 parameters at 1,000 classes; BERT-base about 110 M (this encoder
        # has no pooler or token-type embeddings: 108.6 M).
        self.assertEqual(models.parameter_count(models.workload("resnet50").build()), 25_557_032)
        self.assertEqual(round(models.parameter_count(models.workload("bert_base").build()) / 1e6, 1), 108.6)

    def test_forward_shapes_and_a_learnable_signal(self):
        for name, sizes in TINY["models"].items():
            w = models.workload(name, sizes)
            x, y = w.learnable_batch(6, torch.device("cpu"), seed=1)
            self.assertEqual(tuple(w.build()(x).shape), (6, sizes["num_classes"]))
            x2, y2 = w.learnable_batch(6, torch.device("cpu"), seed=1)
            self.assertTrue(torch.equal(x, x2) and torch.equal(y, y2), "same seed, same batch on every platform")

    def test_a_teams_own_factory(self):
        with self.assertRaises(ValueError) as caught:
            models.workload("collections:OrderedDict")
        self.assertIn("expected an ml_migration.models.Workload", str(caught.exception))
        with self.assertRaises(ValueError) as caught:
            models.workload("json:dumps", {"depth": 2})
        self.assertIn("cannot make the workload with sizes {'depth': 2}", str(caught.exception))
        made = models.workload("ml_migration.models:ImageClassification", {"name": "own", "sizes": {"image_size": 8, "num_classes": 2, "width": 2, "blocks": [1]}})
        self.assertEqual(tuple(made.build()(torch.zeros(1, 3, 8, 8)).shape), (1, 2))


class SuiteOnBothPlatformsTest(unittest.TestCase):
    """The GKE entry point and the Databricks path, on CPU processes: same names, metrics and units, a ratio per gate."""

    @classmethod
    def setUpClass(cls):
        cls.out = tempfile.mkdtemp()
        env = {"BASELINE_OUTPUT": cls.out, "NODE_MACHINE_TYPE": "a3-highgpu-8g", "BENCHMARK_IMAGE": "test-image:1"}
        stdout = io.StringIO()
        with contextlib.redirect_stdout(stdout):
            cls.code = baseline.main(["--gpus", "2", "--settings", json.dumps(TINY), "--run-id", "gke-1"], env)
        cls.printed = stdout.getvalue()
        [cls.file] = os.listdir(cls.out)
        with open(os.path.join(cls.out, cls.file)) as f:
            cls.gcp = run_files.unloaded_baseline_rows([(cls.file, f.read())], loaded_run_ids=[])
        s = suite.settings(TINY)
        measurements, _ = suite.run(s, suite.launch_local, 2)
        run = {"run_id": "db-1", "run_at": "2026-03-02T10:00:00Z", "platform": "databricks", "node_type": "a2-highgpu-1g", "workers": 2,
               **suite.environment("Databricks Runtime 14.3.x-gpu-ml-scala2.12")}
        cls.databricks = benchmarks.result_rows(run, measurements, cls.gcp, GATES)

    def test_the_baseline_wrote_one_file_and_said_where(self):
        self.assertEqual(self.code, 0)
        self.assertRegex(self.file, r"^\d{8}T\d{6}Z-gke-1\.json$")
        self.assertIn(f"wrote {os.path.join(self.out, self.file)}", self.printed)

    def test_both_sides_report_the_same_benchmarks_metrics_and_units(self):
        shape = lambda rows: sorted((r["benchmark"], r["model"], r["metric"], r["unit"], r["config"]) for r in rows)  # noqa: E731
        self.assertEqual(shape(self.gcp), shape(self.databricks))
        self.assertEqual(len(self.gcp), len(benchmarks.BENCHMARKS) * 2)
        for r in self.gcp + self.databricks:
            self.assertGreater(r["value"], 0, r["benchmark"])
            self.assertEqual(r["gpus"], 2 if benchmarks.CASES[r["benchmark"]].scope == benchmarks.DEPLOYMENT else 1)
        self.assertEqual({r["runtime"].split(";")[0] for r in self.gcp}, {"test-image:1"})

    def test_every_gate_metric_has_a_ratio(self):
        for r in self.databricks:
            self.assertIsNotNone(r["ratio"], r["benchmark"])
            self.assertEqual(r["baseline_run_id"], "gke-1")
            self.assertAlmostEqual(r["ratio"], r["value"] / r["baseline_value"])
        gated = {r["gate"] for r in self.databricks if r["passed"] is not None}
        self.assertEqual(gated, {"trainingThroughput", "convergenceTime", "inferenceLatency", "inferenceThroughput"})
        self.assertIsNotNone(benchmarks.per_gpu_throughput_ratio(self.databricks))

    def test_rows_are_written_for_the_gate_to_read(self):
        path = os.environ.get("ML_MIGRATION_ROWS_OUT")
        if not path:
            self.skipTest("ML_MIGRATION_ROWS_OUT is not set: the TypeScript gate test sets it to read these rows")
        with open(path, "w") as f:
            json.dump({"gcp": self.gcp, "databricks": self.databricks}, f, default=str)


class TimeToTargetTest(unittest.TestCase):
    def test_an_unreachable_target_is_an_error_not_a_number(self):
        s = suite.settings({**TINY, "models": {"resnet50": TINY["models"]["resnet50"]}, "max_steps": 2, "target_fraction": 0.01})
        with self.assertRaises(benchmarks.BenchmarkError) as caught:
            suite.launch_local(suite.distributed_rank, 1, json.dumps(s))
        self.assertIn("time_to_target (resnet50): the loss was", str(caught.exception))
        self.assertIn("after 2 steps", str(caught.exception))

    def test_the_global_batch_must_split_evenly(self):
        s = suite.settings({**TINY, "models": {"bert_base": TINY["models"]["bert_base"]}, "batch": {**TINY["batch"], "time_to_target": 15}})
        with self.assertRaises(benchmarks.BenchmarkError) as caught:
            suite.launch_local(suite.distributed_rank, 2, json.dumps(s))
        self.assertIn("batch.time_to_target = 15: not divisible by the 2 GPUs", str(caught.exception))


class DistributedTrainingTest(unittest.TestCase):
    def test_uneven_shares_train_in_step_and_rank_0_returns_the_model(self):
        with tempfile.TemporaryDirectory() as d:
            rng = np.random.default_rng(0)
            # Three files of 70, 50 and 33 rows over two processes: shares of 103 and 50 rows.
            for i, n in enumerate([70, 50, 33]):
                x = rng.normal(size=(n, 6)).astype("float32")
                np.savez(os.path.join(d, f"part-{i}.npz"), features=x, label=x.sum(axis=1))
            config = {"snapshot_dir": d, "epochs": 2, "batch_size": 16, "learning_rate": 1e-2}
            result = suite.launch_local(training.train_rank, 2, json.dumps(config), read_npz_shard, "*.npz")
        # The smaller share has 3 batches of 16: both processes take 3 steps an epoch.
        self.assertEqual(result["samples"], 3 * 16 * 2 * 2)
        self.assertEqual(result["gpus"], 2)
        self.assertEqual(result["features"], 6)
        self.assertGreater(result["throughput"], 0)
        self.assertEqual(sorted(result["state_dict"])[:2], ["0.bias", "0.weight"])

    def test_a_share_smaller_than_one_batch_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            for i, n in enumerate([40, 3]):
                np.savez(os.path.join(d, f"part-{i}.npz"), features=np.ones((n, 2), "float32"), label=np.ones(n, "float32"))
            with self.assertRaises(benchmarks.BenchmarkError) as caught:
                suite.launch_local(training.train_rank, 2, json.dumps({"snapshot_dir": d, "epochs": 1, "batch_size": 16}), read_npz_shard, "*.npz")
        self.assertIn("fewer rows than one batch", str(caught.exception))


if __name__ == "__main__":
    unittest.main()
