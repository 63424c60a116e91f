/**
 * `migration diff`: what a change does, against a base commit. Each stack is evaluated on
 * both sides with the same offline engine (this checkout's), the same options and the same
 * policy config file; the program, stack files and policy pack of each side are that side's
 * own, so a tightened threshold in the change shows as a new finding.
 *
 * The base is evaluated as a fresh stack at its phase. The working tree is evaluated as the
 * `pulumi up` that follows the base's: its reference to its own stack reads the base's
 * outputs, which is what keeps a rolled-back phase's data layer (stacks/dataLayer.ts).
 * Each side is priced by the cost model against its own phase-0 evaluation.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { baselinePhase, estimatePlan, PlanCost } from "../cost/plan";
import { analyzePlan, startPack } from "../pack/run";
import { mandatory, Violation } from "../report/report";
import { PolicyPackHandle } from "../pack/analyzer";
import { qualifiedStackName } from "../engine/stackName";
import { ResourceGraph } from "../model/graph";
import { EvaluationJob, EvaluationResult } from "../engine/job";
import { PlanError, StackPlan } from "../engine/plan";
import { runJobs } from "../engine/pool";
import { listStacks, ProjectError, ProjectInfo, readProject } from "../engine/project";
import { openStackSession, StackSession, stackFileReader } from "../engine/session";
import { headOf, Installer, prepareDependencies, repositoryRoot, resolveBase, withBaseTree } from "./baseTree";
import { diffCost } from "./cost";
import { diffFindings } from "./findings";
import { samePack } from "../pack/sources";
import { DiffReport, StackDiff } from "./report";
import { countChanges, deletesStatefulData, diffResources } from "./resources";

export interface DiffOptions {
    /** The Pulumi project directory in the working tree. */
    cwd: string;
    /** Git ref of the base; default: the merge base of HEAD with the default branch. */
    base?: string;
    /** Stacks to compare; default: every stack file on either side. */
    stacks?: readonly string[];
    /** Evaluate both sides at this phase instead of each stack's configured one. */
    phase?: number;
    /** The working tree's policy pack directory (its base counterpart is found by path), or null. */
    policyPack: string | null;
    policyConfig?: string;
    phaseKey: string;
    policyTimeoutMs: number;
    install?: Installer;
}

type SideName = "base" | "head";

interface Side {
    name: SideName;
    label: string;
    projectDir: string;
    project?: ProjectInfo;
    packDir: string | null;
    pack?: Promise<PolicyPackHandle>;
    /** Each stack's file on this side, read once for the whole diff. */
    sessions: Map<string, StackSession>;
}

const emptyGraph = (project: string, stack: string): ResourceGraph => ({ project, stack, resources: [], outputs: {} });

/** Runs `work` for one side; an error from the base's files says it is the base's. */
function onSide<T>(side: Pick<Side, "name" | "label">, work: () => T): T {
    try {
        return work();
    } catch (err) {
        if (side.name === "base" && err instanceof Error && !err.message.startsWith("on the base")) err.message = `on the base (${side.label}): ${err.message}`;
        throw err;
    }
}

/** The side's session of a stack it has: opened on first use, then shared by every step of the diff. */
function sessionFor(side: Side, stack: string, options: Pick<DiffOptions, "phaseKey">): StackSession {
    let session = side.sessions.get(stack);
    if (!session) {
        // The side's project is read already; only the stack file is new.
        const project = side.project;
        const reader = project ? { ...stackFileReader, readProject: () => project } : stackFileReader;
        session = onSide(side, () => openStackSession(side.projectDir, stack, { phaseKey: options.phaseKey }, reader));
        side.sessions.set(stack, session);
    }
    return session;
}

function phaseOf(side: Side, stack: string, options: DiffOptions): number | null | undefined {
    return onSide(side, () => {
        if (!side.project || !listStacks(side.project).includes(stack)) return undefined;
        const { phaseValue } = sessionFor(side, stack, options);
        if (phaseValue === undefined) return null;
        return options.phase ?? Number(phaseValue);
    });
}

/** The base's counterpart of a path in the working tree, or the path itself when outside the repository. */
function inBase(root: string, tree: string, file: string): string {
    const relative = path.relative(root, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : path.join(tree, relative);
}

function rethrowFor(side: Side, phase: number | null) {
    return (result: EvaluationResult): ResourceGraph =>
        onSide(side, () => {
            if (!result.ok) throw new PlanError(result.error, phase);
            return result.graph;
        });
}

function statsOf(results: readonly EvaluationResult[]): StackPlan["stats"] {
    return {
        evaluations: results.length,
        resources: results.reduce((n, r) => n + (r.ok ? r.graph.resources.length : 0), 0),
        peakWorkerRssKb: Math.max(0, ...results.map((r) => r.stats?.maxRssKb ?? 0)),
    };
}

interface Evaluated {
    plan?: StackPlan;
    cost?: PlanCost;
    violations?: Violation[];
}

export async function computeDiff(options: DiffOptions): Promise<DiffReport> {
    const cwd = path.resolve(options.cwd);
    const headProject = readProject(cwd);
    const root = repositoryRoot(cwd);
    const base = resolveBase(root, options.base);
    const head = headOf(root);

    return withBaseTree(root, base.commit, async (tree) => {
        const baseDir = path.join(tree, path.relative(root, fs.realpathSync(cwd)));
        const label = { name: "base" as const, label: `${base.ref} ${base.commit.slice(0, 12)}` };
        const baseSide: Side = {
            ...label,
            projectDir: baseDir,
            ...(fs.existsSync(path.join(baseDir, "Pulumi.yaml")) ? { project: onSide(label, () => readProject(baseDir)) } : {}),
            packDir: null,
            sessions: new Map(),
        };
        const headSide: Side = { name: "head", label: "working tree", projectDir: cwd, project: headProject, packDir: options.policyPack, sessions: new Map() };
        if (options.policyPack) {
            const basePack = inBase(root, tree, fs.realpathSync(options.policyPack));
            baseSide.packDir = fs.existsSync(path.join(basePack, "PulumiPolicy.yaml")) ? basePack : null;
        }
        const dependencies = await prepareDependencies(root, fs.realpathSync(cwd), tree, options.install);

        const stacks = [...new Set(options.stacks ?? [...listStacks(headProject), ...(baseSide.project ? listStacks(baseSide.project) : [])])].sort();
        for (const stack of stacks) {
            if (phaseOf(headSide, stack, options) === undefined && phaseOf(baseSide, stack, options) === undefined) {
                throw new ProjectError(`unknown stack "${stack}": no Pulumi.${stack}.yaml on either side (stacks: ${listStacks(headProject).join(", ") || "none"})`);
            }
        }

        const sides = [baseSide, headSide];
        // One pack process for both sides when the base's pack is the same (../pack/sources.ts).
        const sharedPack =
            headSide.packDir !== null && baseSide.packDir !== null && dependencies.mode === "linked" && samePack(headSide.packDir, (f) => inBase(root, tree, f));
        try {
            for (const side of sides) {
                if (!side.packDir || (side === baseSide && sharedPack)) continue;
                side.pack = startPack({ packDir: side.packDir, timeoutMs: options.policyTimeoutMs });
                side.pack.catch(() => undefined);
            }
            if (sharedPack) baseSide.pack = headSide.pack;
            const evaluated = await evaluateStacks(stacks, baseSide, headSide, options);
            if (sharedPack) {
                // A pack holds one configuration at a time: the sides take turns.
                for (const side of sides) await analyzeSide(side, stacks, evaluated[side.name], options, true);
            } else {
                await Promise.all(sides.map((side) => analyzeSide(side, stacks, evaluated[side.name], options, false)));
            }

            const stackDiffs = stacks.map((stack) => stackDiff(stack, evaluated.base.get(stack)!, evaluated.head.get(stack)!, headProject.name, sides));
            const newMandatory = stackDiffs.reduce((n, s) => n + mandatory(s.policies?.new ?? []).length, 0);
            const statefulDeletions = stackDiffs.flatMap((s) => s.resources.filter(deletesStatefulData).map((c) => c.urn));
            return {
                project: headProject.name,
                base: { ...base, dependencies: dependencies.mode, pack: baseSide.packDir === null ? "none" : sharedPack ? "shared" : "own" },
                head,
                policyPack: options.policyPack ? path.basename(options.policyPack) : null,
                phase: options.phase ?? "configured",
                stacks: stackDiffs,
                verdict: { exitCode: newMandatory > 0 || statefulDeletions.length > 0 ? 1 : 0, newMandatory, statefulDeletions },
            };
        } finally {
            await Promise.all([...new Set(sides.map((s) => s.pack))].map(async (pack) => (await pack?.catch(() => undefined))?.close()));
        }
    });
}

/**
 * Two rounds of evaluations: the base's stacks (and both sides' phase-0 baselines), then the
 * working tree's stacks reading the base's outputs. A pool evaluates one project directory,
 * since a program may read files relative to its working directory.
 */
async function evaluateStacks(stacks: readonly string[], baseSide: Side, headSide: Side, options: DiffOptions): Promise<Record<SideName, Map<string, Evaluated>>> {
    const phases = new Map(stacks.map((stack) => [stack, { base: phaseOf(baseSide, stack, options), head: phaseOf(headSide, stack, options) }]));
    const job = (side: Side, stack: string, kind: "phase" | "baseline", phase: number | null, stackOutputs?: Record<string, unknown>): EvaluationJob => ({
        id: `${stack}:${kind}`,
        projectDir: side.projectDir,
        stack,
        overrides: phase === null ? {} : { [options.phaseKey]: String(phase) },
        ...(stackOutputs ? { stackOutputs: { [qualifiedStackName(headSide.project!.name, stack)]: stackOutputs } } : {}),
    });
    const needsBaseline = (phase: number | null | undefined): phase is number => typeof phase === "number" && phase !== baselinePhase;
    const half = Math.max(1, Math.floor(os.availableParallelism() / 2));

    const baseJobs = stacks.flatMap((stack) => {
        const phase = phases.get(stack)!.base;
        if (phase === undefined) return [];
        return [job(baseSide, stack, "phase", phase), ...(needsBaseline(phase) ? [job(baseSide, stack, "baseline", baselinePhase)] : [])];
    });
    const headBaselines = stacks.flatMap((stack) => {
        const phase = phases.get(stack)!.head;
        return needsBaseline(phase) ? [job(headSide, stack, "baseline", baselinePhase)] : [];
    });
    const [baseResults, headBaselineResults] = await Promise.all([runJobs(baseJobs, { concurrency: half }), runJobs(headBaselines, { concurrency: half })]);

    const collect = (side: Side, phaseResults: Map<string, EvaluationResult>, baselineResults: Map<string, EvaluationResult>): Map<string, Evaluated> => {
        const all = [...new Set([...phaseResults.values(), ...baselineResults.values()])];
        return new Map(
            stacks.map((stack): [string, Evaluated] => {
                const phase = phases.get(stack)![side.name];
                if (phase === undefined) return [stack, {}];
                const graph = rethrowFor(side, phase)(phaseResults.get(`${stack}:phase`)!);
                const baseline = needsBaseline(phase) ? rethrowFor(side, baselinePhase)(baselineResults.get(`${stack}:baseline`)!) : graph;
                return [stack, planned(side, stack, phase, graph, baseline, all, options)];
            }),
        );
    };
    const base = collect(baseSide, baseResults, baseResults);

    const headJobs = stacks.flatMap((stack) => {
        const phase = phases.get(stack)!.head;
        return phase === undefined ? [] : [job(headSide, stack, "phase", phase, base.get(stack)?.plan?.phases[0].graph.outputs)];
    });
    const head = collect(headSide, await runJobs(headJobs), headBaselineResults);
    const result = { base, head };
    return result;
}

function planned(side: Side, stack: string, phase: number | null, graph: ResourceGraph, baseline: ResourceGraph, results: EvaluationResult[], options: DiffOptions): Evaluated {
    const plan: StackPlan = {
        project: side.project!.name,
        stack,
        phases: [{ phase, graph }],
        ...(phase === null ? {} : { baseline: { phase: baselinePhase, graph: baseline } }),
        stats: statsOf(results),
    };
    return { plan, cost: onSide(side, () => estimatePlan(plan, sessionFor(side, stack, options))) };
}

async function analyzeSide(side: Side, stacks: readonly string[], evaluated: Map<string, Evaluated>, options: DiffOptions, shared: boolean): Promise<void> {
    if (!side.pack) return;
    try {
        const pack = await side.pack;
        for (const stack of stacks) {
            const entry = evaluated.get(stack)!;
            if (!entry.plan) continue;
            const violations = await analyzePlan(pack, entry.plan, {
                session: sessionFor(side, stack, options),
                ...(options.policyConfig !== undefined ? { configFile: options.policyConfig } : {}),
                packDir: side.packDir!,
                cost: entry.cost,
                timeoutMs: options.policyTimeoutMs,
            });
            entry.violations = violations.get(entry.plan.phases[0].phase) ?? [];
        }
    } catch (err) {
        // A shared pack is the working tree's: its failures are not the base's.
        if (shared) throw err;
        onSide(side, () => {
            throw err;
        });
    }
}

function stackDiff(stack: string, before: Evaluated, after: Evaluated, project: string, sides: readonly Side[]): StackDiff {
    const beforeGraph = before.plan?.phases[0].graph ?? emptyGraph(project, stack);
    const afterGraph = after.plan?.phases[0].graph ?? emptyGraph(project, stack);
    const resources = diffResources(beforeGraph, afterGraph);
    const phase = (e: Evaluated) => e.plan?.phases[0].phase ?? null;
    const cost = diffCost(before.cost?.phases.get(phase(before)), after.cost?.phases.get(phase(after)));
    const policies = sides.some((s) => s.pack) ? diffFindings(before.violations ?? [], after.violations ?? []) : undefined;
    return {
        stack,
        before: { present: before.plan !== undefined, phase: phase(before), resources: beforeGraph.resources.length },
        after: { present: after.plan !== undefined, phase: phase(after), resources: afterGraph.resources.length },
        counts: countChanges(resources),
        resources,
        ...(cost ? { cost } : {}),
        ...(policies ? { policies } : {}),
    };
}
