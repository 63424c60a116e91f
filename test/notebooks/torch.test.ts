/**
 * The suite's torch workloads at tiny sizes on CPU, and the gate on the rows they measure.
 *
 * Skipped in `npm test`: the workloads take one to two minutes of CPU on two cores, beyond its
 * budget, and PyTorch is not on PyPI here. Run them with `npm run test:torch` (Debian:
 * `apt-get install python3-torch`; TORCH_PYTHON names the interpreter, /usr/bin/python3 by default).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { gateNames } from "../../domain/gates";
import { successGates } from "../../domain/targets";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "../lifecycle/fakeDriver";
import { sqliteWarehouse } from "./resultsWarehouse";

const enabled = process.env.RUN_TORCH_TESTS === "1";
const python = process.env.TORCH_PYTHON ?? "/usr/bin/python3";
const testsDir = path.join(__dirname, "python_torch");
const libDir = path.resolve(__dirname, "../../notebooks/lib");

describe.skipIf(!enabled)("the torch workloads (npm run test:torch)", () => {
    it("runs every benchmark on both platforms' paths, and the gate judges exactly what they measured", async () => {
        const probe = spawnSync(python, ["-c", "import torch"], { encoding: "utf8" });
        expect(probe.status, `${python} cannot import torch: ${probe.stderr}`).toBe(0);
        const rowsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "suite-rows-")), "rows.json");
        const run = spawnSync(python, ["-B", "-m", "unittest", "discover", "-s", testsDir, "-t", testsDir], {
            encoding: "utf8",
            env: { ...process.env, PYTHONPATH: libDir, PYTHONDONTWRITEBYTECODE: "1", ML_MIGRATION_ROWS_OUT: rowsFile },
            timeout: 600_000,
        });
        expect(run.status, run.stderr).toBe(0);
        expect(run.stderr).toMatch(/Ran \d+ tests/);
        expect(run.stderr).not.toMatch(/skipped=/);

        const { gcp, databricks } = JSON.parse(fs.readFileSync(rowsFile, "utf8")) as Record<string, Record<string, unknown>[]>;
        const dir = tempDir();
        const cost = path.join(dir, "cost.json");
        fs.writeFileSync(cost, JSON.stringify({ phase: 1, metrics: { totalCost: 0.65, costPerTraining: 0.7 } }));
        const result = await cli(["promote", ...base(dir), "--to", "2", "--results-table", "ml_dev.ml.benchmark_results", "--results", cost], {
            ...fakeDeps(new FakeDriver("dev", { "migration:phase": 1 })),
            sqlRunner: async () => sqliteWarehouse([...gcp, ...databricks]),
        });
        // What the rows say, gate by gate (the worst of each gate's rows), is what promote printed.
        const worst: Record<string, number> = {};
        for (const row of databricks.filter((r) => r.gate !== null)) {
            const gate = row.gate as keyof typeof successGates;
            const ratio = row.ratio as number;
            worst[gate] = worst[gate] === undefined ? ratio : successGates[gate].op === ">=" ? Math.min(worst[gate], ratio) : Math.max(worst[gate], ratio);
        }
        expect(Object.keys(worst).sort()).toEqual(gateNames.filter((g) => !["totalCost", "costPerTraining"].includes(g)).sort());
        // CPU timings on a shared machine make the ratios noisy: any of them may miss its gate.
        const met = Object.fromEntries(
            Object.entries(worst).map(([gate, ratio]) => {
                const g = successGates[gate as keyof typeof successGates];
                return [gate, g.op === ">=" ? ratio >= g.ratio : ratio <= g.ratio];
            }),
        );
        const allMet = Object.values(met).every(Boolean);
        for (const [gate, ratio] of Object.entries(worst)) {
            const line = `${met[gate] ? "✓" : "✗"} ${gate} = ${Math.round(ratio * 1000) / 10}% of GCP`;
            // A blocked decision lists the gates that failed; an allowed one lists them all.
            if (allMet || !met[gate]) expect(result.stdout).toContain(line);
            else expect(result.stdout).not.toContain(`✗ ${gate}`);
        }
        expect(result.code).toBe(allMet ? 0 : 1);
    }, 900_000);
});
