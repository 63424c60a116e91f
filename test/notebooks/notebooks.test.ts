import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { notebooksDir } from "../../components/databricks/notebookSet";
import {
    benchmarkResultsTable,
    costMetricsTable,
    modelsTable,
    TableDefinition,
    trainingExamplesTable,
    trainingFeaturesTable,
} from "../../domain/databricks/tableDefinitions";
import { customMetricPrefix, customMetrics, dcgmGpuUtilization } from "../../domain/customMetrics";
import { deltaStorage, successGates } from "../../domain/targets";
import { ResourceGraph } from "../../tools/model/graph";
import { byType, runStack } from "../harness";
import { job, JobTask } from "../stacks/databricksGraph";

const libDir = path.join(notebooksDir, "lib");
const python = (args: string[], env: Record<string, string> = {}) =>
    execFileSync("python3", ["-B", ...args], {
        encoding: "utf8",
        env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: libDir, ...env },
        stdio: ["ignore", "pipe", "pipe"],
    });

function filesUnder(dir: string, ext: string): string[] {
    return fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(ext) && !f.includes("__pycache__")).map((f) => path.join(dir, f)).sort();
}

const pythonFiles = filesUnder(notebooksDir, ".py");
const sqlFiles = filesUnder(notebooksDir, ".sql");
const notebookFiles = [...pythonFiles, ...sqlFiles].filter((f) => !f.startsWith(libDir));
const allTables: TableDefinition[] = [modelsTable, benchmarkResultsTable, costMetricsTable, trainingExamplesTable, trainingFeaturesTable];

describe("notebook sources", () => {
    it("has the six notebooks the jobs run and the helper package", () => {
        expect(notebookFiles.map((f) => path.relative(notebooksDir, f)).sort()).toEqual([
            "benchmark_suite.py",
            "cost_tracking.py",
            "data_prep.py",
            "maintenance.sql",
            "migrate_data.py",
            "training.py",
        ]);
        expect(pythonFiles.filter((f) => f.startsWith(libDir)).length).toBeGreaterThanOrEqual(15);
    });

    it("compiles every Python notebook and module (python3 py_compile)", () => {
        const out = fs.mkdtempSync(path.join(os.tmpdir(), "pyc-"));
        const script = [
            "import py_compile, sys, os",
            "for i, f in enumerate(sys.argv[1:]):",
            "    py_compile.compile(f, cfile=os.path.join(os.environ['OUT'], f'{i}.pyc'), doraise=True)",
            "print(len(sys.argv) - 1)",
        ].join("\n");
        expect(python(["-c", script, ...pythonFiles], { OUT: out }).trim()).toBe(String(pythonFiles.length));
    });

    it("reports a syntax error as a failure (the compile check can fail)", () => {
        const broken = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "broken-")), "broken.py");
        fs.writeFileSync(broken, "# Databricks notebook source\ndef f(:\n");
        expect(() => python(["-m", "py_compile", broken])).toThrow();
    });

    it("runs its distributed functions from the workspace library (TorchDistributor starts fresh processes on the workers)", () => {
        for (const name of ["benchmark_suite.py", "training.py"]) {
            const text = fs.readFileSync(path.join(notebooksDir, name), "utf8");
            const call = /TorchDistributor\(num_processes=gpus, local_mode=False, use_gpu=True\)\.run\((\w+), [^\n]*lib_path\)/.exec(text);
            expect(call, `${name}: one process per worker GPU, the library path passed along`).not.toBeNull();
            const body = new RegExp(`def ${call![1]}\\([^)]*lib_path\\):\\n((?: {4}.*\\n|\\n)+)`).exec(text)![1];
            expect(body.indexOf("sys.path.insert(0, lib_path)"), name).toBeGreaterThan(-1);
            expect(body.indexOf("sys.path.insert(0, lib_path)"), name).toBeLessThan(body.indexOf("from ml_migration import"));
        }
    });

    it("uses Unity Catalog paths only: no DBFS mounts", () => {
        for (const file of [...notebookFiles, ...pythonFiles]) expect(fs.readFileSync(file, "utf8"), file).not.toMatch(/\/mnt\/|dbfs:\//);
    });

    it("keeps every Python notebook in Databricks source format and parameterised through widgets", () => {
        for (const file of notebookFiles.filter((f) => f.endsWith(".py"))) {
            const text = fs.readFileSync(file, "utf8");
            expect(text.startsWith("# Databricks notebook source\n"), file).toBe(true);
            expect(text).toContain("# COMMAND ----------");
            expect(text, file).toMatch(/dbutils\.widgets\.text\("catalog"/);
            expect(text, file).not.toMatch(/\bml_(dev|prod)\b/);
        }
    });
});

describe("maintenance.sql", () => {
    const text = fs.readFileSync(path.join(notebooksDir, "maintenance.sql"), "utf8");
    const statements = text.split("\n").filter((l) => !l.startsWith("--") && l.trim() !== "").join("\n");

    it("is a non-empty SQL notebook, parameterised by the catalog", () => {
        expect(text.startsWith("-- Databricks notebook source\n")).toBe(true);
        expect(statements.length).toBeGreaterThan(100);
        expect(statements).toMatch(/CREATE WIDGET TEXT catalog/);
        expect(statements).toContain("USE CATALOG IDENTIFIER(:catalog)");
        expect(statements).not.toMatch(/\bml_(dev|prod)\b/);
    });

    it("OPTIMIZEs every table: clustered ones by their keys, the others Z-ordered", () => {
        for (const table of allTables) {
            const name = `${table.schema}.${table.name}`;
            const optimize = new RegExp(`^OPTIMIZE ${name.replace(".", "\\.")}( ZORDER BY \\(([a-z_, ]+)\\))?;$`, "m").exec(statements);
            expect(optimize, name).not.toBeNull();
            if (table.clusterKeys.length > 0) expect(optimize![1], `${name} is liquid-clustered: no ZORDER`).toBeUndefined();
            else {
                expect(optimize![1], `${name} has clustering off: ZORDER`).toBeDefined();
                for (const column of optimize![2].split(",").map((c) => c.trim())) expect(table.columns.map((c) => c.name)).toContain(column);
            }
        }
    });

    it("VACUUMs every table at the seed's 168 hours, never less", () => {
        const vacuums = [...statements.matchAll(/^VACUUM (\S+) RETAIN (\d+) HOURS;$/gm)];
        expect(vacuums.map((m) => m[1]).sort()).toEqual(allTables.map((t) => `${t.schema}.${t.name}`).sort());
        for (const m of vacuums) expect(Number(m[2])).toBe(deltaStorage.vacuumRetentionHours);
        expect(statements.match(/VACUUM/g)!.length).toBe(vacuums.length);
    });
});

describe("the ml_migration package", () => {
    it("passes its unit tests (no torch), with the gates the benchmark job passes", () => {
        const gates = Object.fromEntries(Object.entries(successGates).map(([gate, g]) => [gate, { op: g.op, ratio: g.ratio }]));
        const testsDir = path.join(__dirname, "python");
        const run = spawnSync("python3", ["-B", "-m", "unittest", "discover", "-s", testsDir, "-t", testsDir, "-p", "test_*.py"], {
            encoding: "utf8",
            env: { ...process.env, PYTHONDONTWRITEBYTECODE: "1", PYTHONPATH: libDir, GATES_JSON: JSON.stringify(gates) },
        });
        expect(run.status, run.stderr).toBe(0);
        const ran = Number(/Ran (\d+) tests?/.exec(run.stderr)?.[1]);
        expect(ran).toBeGreaterThanOrEqual(48);
        expect(run.stderr.trim().endsWith("OK")).toBe(true);
    });

    it("writes exactly the columns the Delta tables define, and knows every gate it is given", () => {
        const script = [
            "import json",
            "from ml_migration import benchmarks, costs, ingest, training",
            "print(json.dumps({'results': benchmarks.RESULT_COLUMNS, 'models': training.MODEL_COLUMNS, 'costs': costs.COST_COLUMNS,",
            "  'source': ingest.SOURCE_COLUMNS, 'gates': sorted({c.gate for c in benchmarks.CASES.values() if c.gate}), 'suite': benchmarks.SUITE}))",
        ].join("\n");
        const py = JSON.parse(python(["-c", script]));
        expect(py.results).toEqual(benchmarkResultsTable.columns.map((c) => c.name));
        expect(py.models).toEqual(modelsTable.columns.map((c) => c.name));
        expect(py.costs).toEqual(costMetricsTable.columns.map((c) => c.name));
        expect([...py.source, "source_file"]).toEqual(trainingExamplesTable.columns.map((c) => c.name));
        for (const gate of py.gates) expect(Object.keys(successGates)).toContain(gate);
        expect(py.gates).toEqual(["convergenceTime", "inferenceLatency", "inferenceThroughput", "trainingThroughput"]);
        expect(py.suite).toEqual({
            training_throughput: ["small_batch", "large_batch", "distributed", "time_to_target"],
            inference_latency: ["single_request", "batch_request", "streaming"],
        });
    });
});

describe("deployed notebooks", () => {
    let graph: ResourceGraph;
    beforeAll(async () => {
        graph = await runStack("prod", { "migration:phase": "3" });
    });

    const decoded = (r: { inputs: Record<string, unknown> }) => Buffer.from(r.inputs.contentBase64 as string, "base64").toString("utf8");

    it("are the repository's files, at the paths the jobs run, with the helper package beside them", () => {
        const deployed = Object.fromEntries(byType(graph, "databricks:index/notebook:Notebook").map((n) => [n.inputs.path as string, n]));
        expect(Object.keys(deployed).sort()).toEqual([
            "/Shared/benchmark_suite",
            "/Shared/cost_tracking",
            "/Shared/data_prep",
            "/Shared/maintenance",
            "/Shared/migrate_data",
            "/Shared/training",
        ]);
        for (const [workspacePath, notebook] of Object.entries(deployed)) {
            const file = notebookFiles.find((f) => path.basename(f).replace(/\.(py|sql)$/, "") === path.basename(workspacePath))!;
            expect(decoded(notebook), workspacePath).toBe(fs.readFileSync(file, "utf8"));
            expect(notebook.inputs.language).toBe(file.endsWith(".sql") ? "SQL" : "PYTHON");
        }
        const modules = byType(graph, "databricks:index/workspaceFile:WorkspaceFile").map((f) => f.inputs.path as string);
        for (const file of pythonFiles.filter((f) => f.startsWith(libDir))) {
            expect(modules).toContain(`/Shared/lib/${path.relative(libDir, file)}`);
        }
    });

    it("declare a widget for every parameter their jobs pass, and read only widgets they declare", () => {
        const notebooks = Object.fromEntries(byType(graph, "databricks:index/notebook:Notebook").map((n) => [n.inputs.path as string, decoded(n)]));
        const declared = (text: string) =>
            new Set([...text.matchAll(/dbutils\.widgets\.text\("([a-z_]+)"/g), ...text.matchAll(/CREATE WIDGET TEXT ([a-z_]+)/g)].map((m) => m[1]));
        const read = (text: string) => new Set([...text.matchAll(/dbutils\.widgets\.get\("([a-z_]+)"\)/g), ...text.matchAll(/:([a-z_]+)\)/g)].map((m) => m[1]));
        const jobs = byType(graph, "databricks:index/job:Job");
        expect(jobs).toHaveLength(5);
        for (const j of jobs) {
            const parameters = (j.inputs.parameters as { name: string }[]).map((p) => p.name);
            // SQL alert tasks take no parameters; the job's parameters reach its notebooks.
            const texts = (j.inputs.tasks as JobTask[]).filter((t) => t.notebookTask).map((t) => notebooks[t.notebookTask.notebookPath]);
            // Job parameters reach every task; each must be used by at least one of them.
            const anyDeclares = new Set(texts.flatMap((t) => [...declared(t)]));
            for (const p of parameters) expect(anyDeclares.has(p), `${j.inputs.name}: no notebook takes parameter ${p}`).toBe(true);
            for (const text of texts) {
                expect(declared(text).has("catalog")).toBe(true);
                for (const name of read(text)) expect(declared(text).has(name), `${j.inputs.name}: reads undeclared widget ${name}`).toBe(true);
            }
        }
    });

    describe("custom metrics: declared ↔ written ↔ read", () => {
        // What each writer of ml_migration.metrics produces, from representative inputs.
        const produced: Record<string, string[]> = JSON.parse(
            python([
                "-c",
                [
                    "import datetime as dt, json",
                    "from ml_migration import benchmarks, metrics",
                    "at = dt.datetime(2026, 3, 1, tzinfo=dt.timezone.utc); p = 'custom.googleapis.com/ml'",
                    "ms = [benchmarks.measurement(b.name, 'resnet50', 1.0, 1, {}) for b in benchmarks.BENCHMARKS]",
                    "run = lambda platform: {'run_id': platform, 'run_at': '2026-03-01T00:00:00Z', 'platform': platform, 'node_type': 'n', 'workers': 1, 'gpu_type': 'g', 'runtime': 'r'}",
                    "gcp = benchmarks.result_rows(run('gcp'), ms)",
                    "gates = {g: {'op': '>=', 'ratio': 0} for g in {b.gate for b in benchmarks.BENCHMARKS} if g}",
                    "db = benchmarks.result_rows(run('databricks'), ms, gcp, gates)",
                    "names = lambda series: sorted({s['metric']['type'].rsplit('/', 1)[1] for s in series})",
                    "print(json.dumps({",
                    "  'suite_series': names(metrics.suite_series(p, db, at, 'x', cluster='c', gpu_utilization=0.9)),",
                    "  'baseline_series': names(metrics.baseline_series(p, gcp, at, 'x')),",
                    "  'training_series': names(metrics.training_series(p, 'm', 1.0, 1.0, 0.9, 'c', at, 'x')),",
                    "  'cost_series': names(metrics.cost_series(p, {'gcp': 1.0}, 1.0, at, 'x')),",
                    "  'daily_cost_series': names(metrics.daily_cost_series(p, {'gcp': 1.0}, at, 'x')),",
                    "  'LABELS': {k: sorted(v) for k, v in metrics.LABELS.items()}}))",
                ].join("\n"),
            ]),
        );
        const { LABELS: labels, ...writers } = produced as unknown as { LABELS: Record<string, string[]> } & Record<string, string[]>;

        /** Metrics some deployed code writes, with the code that writes them. */
        function written(): Map<string, string[]> {
            const sources = [
                ...byType(graph, "databricks:index/notebook:Notebook").map((n) => ({ where: n.inputs.path as string, text: decoded(n) })),
                ...gkeBaseline().map(({ where, text }) => ({ where, text })),
            ];
            const byMetric = new Map<string, string[]>();
            for (const { where, text } of sources) {
                if (!/gcp_metrics\.write\(|write_metrics\(/.test(text)) continue;
                for (const [writer, names] of Object.entries(writers)) {
                    if (!text.includes(`metrics.${writer}(`)) continue;
                    for (const name of names) byMetric.set(name, [...(byMetric.get(name) ?? []), where]);
                }
            }
            return byMetric;
        }

        /** The GKE performance baseline as deployed: the CronJob's command, its mounted package, its env and identity. */
        function gkeBaseline() {
            type Pod = { serviceAccountName: string; containers: { command: string[]; env: { name: string; value: string }[] }[] };
            return byType(graph, "kubernetes:batch/v1:CronJob").map((cron) => {
                const pod = (cron.inputs as { spec: { jobTemplate: { spec: { template: { spec: Pod } } } } }).spec.jobTemplate.spec.template.spec;
                const [container] = pod.containers;
                const module = container.command.join(" ").match(/-m ml_migration\.(\w+)/)![1];
                const library = byType(graph, "kubernetes:core/v1:ConfigMap")[0].inputs.data as Record<string, string>;
                const ksa = byType(graph, "kubernetes:core/v1:ServiceAccount").find((a) => (a.inputs.metadata as { name: string }).name === pod.serviceAccountName)!;
                return {
                    where: `python -m ml_migration.${module} (GKE CronJob)`,
                    text: library[`${module}.py`],
                    env: Object.fromEntries(container.env.map((e) => [e.name, e.value])),
                    account: (ksa.inputs.metadata as { annotations: Record<string, string> }).annotations["iam.gke.io/gcp-service-account"],
                };
            });
        }

        const readQueries = () => {
            const alerts = byType(graph, "gcp:monitoring/alertPolicy:AlertPolicy").flatMap((policy) =>
                (policy.inputs.conditions as { displayName: string; conditionPrometheusQueryLanguage: { query: string } }[]).map((c) => ({
                    where: `alert ${String(policy.inputs.displayName)} / ${c.displayName}`,
                    query: c.conditionPrometheusQueryLanguage.query,
                })),
            );
            const [dashboard] = byType(graph, "gcp:monitoring/dashboard:Dashboard");
            const tiles = JSON.parse(dashboard.inputs.dashboardJson as string).mosaicLayout.tiles as { widget: { title: string; xyChart?: { dataSets: { timeSeriesQuery: { prometheusQuery: string } }[] } } }[];
            const charts = tiles.flatMap((t) => (t.widget.xyChart?.dataSets ?? []).map((d) => ({ where: `chart ${t.widget.title}`, query: d.timeSeriesQuery.prometheusQuery })));
            return [...alerts, ...charts];
        };

        it("declares exactly the metrics and label keys the writers use", () => {
            expect(Object.keys(labels).sort()).toEqual(customMetrics.map((m) => m.name).sort());
            for (const m of customMetrics) expect(labels[m.name], m.name).toEqual(m.labels.map((l) => l.key).sort());
        });

        it("writes every declared metric from deployed code that runs with a metric writer's identity", () => {
            const byMetric = written();
            for (const m of customMetrics) expect(byMetric.get(m.name), `${m.name}: no deployed code writes it`).toBeDefined();
            // The jobs that write pass the project from phase 3, and their clusters run as an account that may write.
            const writerRoles = byType(graph, "gcp:projects/iAMMember:IAMMember").filter((m) => m.inputs.role === "roles/monitoring.metricWriter").map((m) => m.inputs.member);
            const parameters = (name: string) => Object.fromEntries((job(graph, name).inputs.parameters as { name: string; default: string }[]).map((p) => [p.name, p.default]));
            const clusterAccount = (name: string, key: string) =>
                ((job(graph, name).inputs.jobClusters as { jobClusterKey: string; newCluster: { gcpAttributes: { googleServiceAccount?: string } } }[]).find((c) => c.jobClusterKey === key)!.newCluster.gcpAttributes
                    .googleServiceAccount);
            for (const [name, key] of [["benchmark_suite", "a100"], ["model_training", "training"], ["cost_tracking", "costs"]] as const) {
                expect(parameters(name).metric_prefix, name).toBe(customMetricPrefix);
                if (name !== "cost_tracking") expect(parameters(name).metrics_project, name).toBe("acme-ml-prod");
                expect(writerRoles, name).toContain(`serviceAccount:${clusterAccount(name, key)}`);
            }
            const [gke] = gkeBaseline();
            expect(gke.env.METRICS_PROJECT).toBe("acme-ml-prod");
            expect(writerRoles).toContain(`serviceAccount:${gke.account}`);
        });

        it("reads in every alert and chart only metrics that deployed code writes, and reads every one of them", () => {
            const byMetric = written();
            const read = new Set<string>();
            for (const { where, query } of readQueries()) {
                const customs = [...query.matchAll(/custom_googleapis_com:ml_([a-z_]+)/g)].map((m) => m[1]);
                expect(customs.length > 0 || query.includes(dcgmGpuUtilization.promql), `${where} reads no known metric: ${query}`).toBe(true);
                for (const name of customs) {
                    expect(byMetric.has(name), `${where} reads ${name}, which nothing writes`).toBe(true);
                    read.add(name);
                }
            }
            expect([...read].sort()).toEqual(customMetrics.map((m) => m.name).sort());
        });

        it("fails when a declared metric has no writer (the check can fail)", () => {
            const byMetric = written();
            byMetric.delete("inference_throughput");
            expect(customMetrics.filter((m) => !byMetric.has(m.name)).map((m) => m.name)).toEqual(["inference_throughput"]);
        });
    });
});
