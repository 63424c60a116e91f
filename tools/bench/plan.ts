/**
 * `npm run bench`: what `migration plan` costs. Prints, for the prod stack (every phase,
 * previews, cost and policies) and for a synthetic program about ten times the size of prod's
 * phase 3 (tools/bench/synthetic), the wall time, the resources evaluated per second and the
 * peak memory of the planning process and of its largest worker; then the wall time of
 * `migration diff` of prod against HEAD (the working tree as it is: no change when clean) next
 * to the plan's; and first, the wall time of `migration --help` and `migration --version` as a
 * user starts them (a new Node process through bin/migration.js; aim: under half a second),
 * and the policy pack's start on its own (a new process until it answers GetAnalyzerInfo; aim:
 * at most 2 s), once as the Pulumi CLI starts it (type-checked with ts-node) and once after a
 * start with the same inputs passed that check (tools/pack/typeCheckRecord.ts: transpiled only,
 * as every later start of an unchanged pack), with the size of its import closure and the
 * provider SDKs it reaches (none); and the evaluations the prod plan performs, alone (no pack,
 * no cost), with the plan's ratio to them. The plans start the pack as a user's later runs do:
 * its check recorded.
 * Figures, not a pass/fail.
 */
import { spawnSync } from "node:child_process";
import * as os from "node:os";
import * as path from "node:path";
import { maxPhase } from "../../domain/targets";
import { baselinePhase, estimatePlan } from "../cost/plan";
import { startPolicyPack } from "../pack/analyzer";
import { analyzePlan, startPack } from "../pack/run";
import { planStack, StackPlan } from "../engine/plan";
import { endIdleWorkers } from "../engine/pool";
import { computeDiff } from "../diff/compute";
import { packageOf, packClosure } from "../pack/sources";

const root = path.resolve(__dirname, "..", "..");
const synthetic = path.join(__dirname, "synthetic");

interface Figures {
    label: string;
    wallSeconds: number;
    evaluations: number;
    resources: number;
    largestGraph: number;
    peakWorkerMb: number;
    violations: number;
}

async function measure(label: string, projectDir: string, stack: string, phases: number[] | undefined, overrides?: Record<string, string>): Promise<Figures> {
    // Cold, as a new `migration` process: no worker kept from an earlier measurement.
    await endIdleWorkers();
    const started = performance.now();
    const pack = startPack({ packDir: path.join(root, "policies"), timeoutMs: 300_000 });
    pack.catch(() => undefined);
    let plan: StackPlan;
    try {
        plan = await planStack({
            projectDir,
            stack,
            phases,
            phaseKey: "migration:phase",
            ...(phases ? { baselinePhase } : {}),
            ...(overrides ? { overrides } : {}),
        });
        const cost = phases ? estimatePlan(plan, projectDir) : undefined;
        const violations = await analyzePlan(await pack, plan, {
            projectDir,
            stack,
            packDir: path.join(root, "policies"),
            policyConfigKey: "migration:policyConfig",
            phaseKey: "migration:phase",
            cost,
        });
        const wallSeconds = (performance.now() - started) / 1000;
        return {
            label,
            wallSeconds,
            evaluations: plan.stats.evaluations,
            resources: plan.stats.resources,
            largestGraph: Math.max(...plan.phases.map((p) => p.graph.resources.length)),
            peakWorkerMb: plan.stats.peakWorkerRssKb / 1024,
            violations: [...violations.values()].reduce((n, v) => n + v.length, 0),
        };
    } finally {
        await (await pack.catch(() => undefined))?.close();
    }
}

function row(f: Figures): string {
    return [
        f.label.padEnd(34),
        `${f.wallSeconds.toFixed(1).padStart(6)} s`,
        `${String(f.evaluations).padStart(4)} evaluations`,
        `${String(f.resources).padStart(6)} resources`,
        `${(f.resources / f.wallSeconds).toFixed(0).padStart(5)} resources/s`,
        `largest graph ${String(f.largestGraph).padStart(5)}`,
        `worker peak ${f.peakWorkerMb.toFixed(0).padStart(4)} MB`,
    ].join("  ");
}

/**
 * The same evaluations a plan performs (every phase, the rollback previews, the cost baseline),
 * through the same worker pool, with no policy pack and no cost model: what the program alone
 * costs, against which the plan's overhead is read.
 */
async function bareEvaluations(projectDir: string, stack: string, phases: number[]): Promise<{ wallSeconds: number; evaluations: number }> {
    await endIdleWorkers();
    const started = performance.now();
    const plan = await planStack({ projectDir, stack, phases, phaseKey: "migration:phase", baselinePhase });
    return { wallSeconds: (performance.now() - started) / 1000, evaluations: plan.stats.evaluations };
}

/** The best of a few wall times of `node bin/migration.js …`, in seconds: what a user waits for an answer. */
function cliWallSeconds(argv: readonly string[], runs = 5): number {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const result = spawnSync(process.execPath, [path.join(root, "bin", "migration.js"), ...argv], { stdio: "ignore" });
        if (result.status !== 0) throw new Error(`migration ${argv.join(" ")} exited ${result.status}`);
        best = Math.min(best, (performance.now() - started) / 1000);
    }
    return best;
}

/**
 * The best of a few starts of the pack, in seconds: a new process until GetAnalyzerInfo answers,
 * type-checked at every start or only until a start with the same inputs passed.
 */
export async function packStartSeconds(typeCheckEveryStart: boolean, runs = 3): Promise<number> {
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
        const started = performance.now();
        const pack = await startPolicyPack(path.join(root, "policies"), { timeoutMs: 300_000, typeCheckEveryStart });
        best = Math.min(best, (performance.now() - started) / 1000);
        if (pack.typeChecked !== typeCheckEveryStart) throw new Error(`the pack started ${pack.typeChecked ? "type-checked" : "transpiled only"}, which this figure does not measure`);
        await pack.close();
    }
    return best;
}

export function packClosureSummary(): string {
    const closure = packClosure(path.join(root, "policies"));
    const sdks = [...new Set([...closure.packages.keys()].map(packageOf))].filter((p) => /^@pulumi\/(gcp|databricks|kubernetes|random)$/.test(p));
    return `${closure.files.length} files in its import closure, ${sdks.length ? `reaches ${sdks.join(", ")}` : "no provider SDK"}`;
}

async function main(): Promise<void> {
    console.log(`migration plan benchmark — ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`);
    for (const argv of [["--help"], ["--version"], ["plan", "--help"]]) {
        console.log(`${`migration ${argv.join(" ")}`.padEnd(34)}  ${cliWallSeconds(argv).toFixed(2).padStart(6)} s  (best of 5; aim ≤ 0.5 s)`);
    }
    console.log(`${"policy pack start, type-checked".padEnd(34)}  ${(await packStartSeconds(true)).toFixed(2).padStart(6)} s  (best of 3, as the Pulumi CLI starts it; ${packClosureSummary()})`);
    console.log(`${"policy pack start, check recorded".padEnd(34)}  ${(await packStartSeconds(false)).toFixed(2).padStart(6)} s  (best of 3, the same inputs passed before; aim ≤ 2 s)`);
    const allPhases = Array.from({ length: maxPhase + 1 }, (_, i) => i);
    const bare = await bareEvaluations(root, "prod", allPhases);
    const prod = await measure("prod, phases 0-3, with policies", root, "prod", allPhases);
    console.log(row(prod));
    console.log(
        [
            "prod, the same evaluations, bare".padEnd(34),
            `${bare.wallSeconds.toFixed(1).padStart(6)} s`,
            `${String(bare.evaluations).padStart(4)} evaluations`,
            `(no pack, no cost); the plan costs ${(prod.wallSeconds / bare.wallSeconds).toFixed(2)}× its bare evaluations (aim ≤ 2×)`,
        ].join("  "),
    );

    await endIdleWorkers();
    const diffStarted = performance.now();
    const diff = await computeDiff({ cwd: root, base: "HEAD", stacks: ["prod"], policyPack: path.join(root, "policies"), phaseKey: "migration:phase", policyTimeoutMs: 300_000 });
    const diffSeconds = (performance.now() - diffStarted) / 1000;
    const [prodDiff] = diff.stacks;
    console.log(
        [
            "diff prod against HEAD".padEnd(34),
            `${diffSeconds.toFixed(1).padStart(6)} s`,
            `(plan ${prod.wallSeconds.toFixed(1)} s)`,
            `phase ${prodDiff.after.phase}, ${prodDiff.resources.length} changed resources, base pack ${diff.base.pack}, working tree ${diff.head.dirty ? "with changes" : "clean"}`,
        ].join("  "),
    );

    // Copies of the hybrid workload until the graph is about ten times prod's phase 3.
    const probe = await planStack({ projectDir: synthetic, stack: "bench", phaseKey: "migration:phase", overrides: { "synthetic:copies": "1" } });
    const perCopy = probe.phases[0].graph.resources.length;
    const copies = Math.max(1, Math.round((10 * prod.largestGraph) / perCopy));
    const big = await measure(`synthetic ×${copies} copies, with policies`, synthetic, "bench", undefined, { "synthetic:copies": String(copies) });
    console.log(row(big));

    const sizeRatio = big.largestGraph / prod.largestGraph;
    const perResource = (f: Figures) => f.wallSeconds / f.resources;
    console.log(
        `growth: ${sizeRatio.toFixed(1)}× the largest graph; time per resource ${(perResource(big) / perResource(prod)).toFixed(2)}× prod's ` +
            "(≤ 1 means no worse than linear); planning process peak " +
            `${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
}

if (require.main === module) {
    main().catch((err) => {
        console.error(err instanceof Error ? err.message : err);
        process.exitCode = 1;
    });
}
