/**
 * The `ml_migration` package (notebooks/lib/ml_migration): the modules both sides run. The
 * Databricks workspace gets them as workspace files (phase 1), the GKE baseline as a mounted
 * ConfigMap (phase 0), so the benchmarks are the same code on both platforms.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { notebooksDir } from "../../components/databricks/notebookSet";

/** Modules of the package the notebooks and the baseline import (phase 3 adds its own to the workspace). */
export const libraryModules = [
    "__init__.py", "params.py", "gpu.py", "benchmarks.py", "workloads.py", "models.py", "suite.py", "run_files.py",
    "gcp_http.py", "gcp_metrics.py", "metrics.py", "baseline.py", "training.py", "ingest.py",
];

/** The package's folder, relative to notebooks/. */
export const libraryDir = "lib/ml_migration";

/** Each module's source, by file name: read when the program runs, so the plan carries the exact code. */
export function librarySources(): Record<string, string> {
    return Object.fromEntries(libraryModules.map((module) => [module, fs.readFileSync(path.join(notebooksDir, libraryDir, module), "utf8")]));
}
