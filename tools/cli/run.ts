/**
 * The plan-family commands of `migration` (plan, check, export, cost, diff, policy-config): the
 * offline plan and policy check of a Pulumi stack's phases, without cloud credentials and
 * without the Pulumi CLI. Loaded only when one of them runs; the command table
 * (commandTable.js) parses the command line and main.ts maps errors to exit codes.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { maxPhase } from "../../domain/targets";
import { PolicyPackHandle } from "../pack/analyzer";
import { toStackExport } from "../engine/deployment";
import { formatCostBreakdown, formatCostDiffMarkdown } from "../cost/report";
import { planStack, StackPlan } from "../engine/plan";
import { baselinePhase, estimateAsConfigured, estimatePlan, PlanCost } from "../cost/plan";
import { checkStackName, ProjectInfo, readProject } from "../engine/project";
import { openStackSession, policyConfigKeyFor, StackSession } from "../engine/session";
import { defaultJobTimeoutMs } from "../engine/pool";
import { formatMarkdown } from "../report/formatMarkdown";
import { formatSarif, repoRelativePath } from "../report/formatSarif";
import { formatText } from "../report/formatText";
import { writeAtomically } from "../report/output";
import { policyConfigOf, stackPolicyConfig } from "../pack/config";
import { analyzePlan, PackStarter, resolvePolicyPack, startPack } from "../pack/run";
import { Progress, silentProgress } from "./progress";
import { buildReport, mandatory, PlanContext, Violation } from "../report/report";
import { runDiff } from "../diff/cli";
import { version } from "./commandTable";

/** A value the command refuses: one line, no help (the command line itself was well formed). */
export class InputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "InputError";
    }
}

export type Format = "text" | "markdown" | "json" | "sarif";
type Command = "plan" | "check" | "export" | "cost" | "policy-config" | "diff";

export interface CliIo {
    stdout(text: string): void;
    stderr(text: string): void;
}

export interface Options {
    command: Command;
    /** The stack's own name (the last part of an ORG/NAME or ORG/PROJECT/NAME). */
    stack: string;
    /** Phases asked for; "all" when --phase is absent or `all`. */
    phases: number[] | "all";
    /** Whether --phase was given at all. */
    phaseGiven: boolean;
    cwd: string;
    policyPack: string | null;
    /** `--policy-pack none`: no policy runs, on purpose. */
    noPolicies: boolean;
    evalTimeoutMs: number;
    policyConfig?: string;
    phaseKey: string;
    format: Format;
    out?: string;
    policyTimeoutMs: number;
    /** Whether --phase-key was given: a key the stack does not set is then refused. */
    phaseKeyGiven: boolean;
    /** diff: the base ref, and the stack if one was named. */
    base?: string;
    stackOption?: string;
}

/**
 * The options of a plan-family command, from the values the command table parsed (their form
 * already checked there): what needs the file system or the project is checked here.
 */
export function optionsOf(command: Command, values: Readonly<Record<string, string | boolean>>): Options {
    const str = (name: string) => values[name] as string | undefined;
    const phase = str("phase");
    const phases: number[] | "all" = phase === undefined || phase === "all" ? "all" : [Number(phase)];
    const cwd = path.resolve(str("cwd") ?? ".");
    const stackOption = str("stack");
    const stack = stackOption === undefined ? "dev" : checkStackName(stackOption, projectIfAny(cwd));
    if (command === "export" && phase === "all") throw new InputError("export writes one graph: --phase N, or no --phase for the stack as configured");
    if (command === "diff" && phase === "all") throw new InputError("--phase all: diff compares one phase, --phase N, or each stack's configured phase without --phase");
    if (command === "policy-config" && phase === "all") throw new InputError("--phase all: policy-config writes one phase's config, --phase N, or the stack's configured phase without --phase");
    const out = str("out");
    if (out !== undefined) checkOutFile(out);
    const policyConfig = str("policy-config");
    if (policyConfig !== undefined && !fs.existsSync(policyConfig)) throw new InputError(`--policy-config ${policyConfig}: no such file`);
    const policyPackOption = str("policy-pack");
    return {
        command,
        stack,
        phases,
        phaseGiven: phase !== undefined,
        cwd,
        policyPack: resolvePolicyPack(cwd, policyPackOption, (message) => new InputError(message)),
        noPolicies: policyPackOption === "none",
        evalTimeoutMs: Number(str("eval-timeout") ?? defaultJobTimeoutMs / 1000) * 1000,
        policyConfig,
        phaseKey: str("phase-key") ?? "migration:phase",
        phaseKeyGiven: str("phase-key") !== undefined,
        format: (str("format") ?? "text") as Format,
        out,
        policyTimeoutMs: Number(str("policy-timeout") ?? "180") * 1000,
        ...(str("base") !== undefined ? { base: str("base") } : {}),
        ...(stackOption !== undefined ? { stackOption: stack } : {}),
    };
}

/** The project in `cwd` if there is one, to check a qualified stack name's project against. */
function projectIfAny(cwd: string): ProjectInfo | undefined {
    try {
        return readProject(cwd);
    } catch {
        return undefined;
    }
}

/**
 * The report goes to a file only if it can: its folder exists and is writable, and the file
 * is not a folder. Checked before any work, so a mistake costs nothing.
 */
function checkOutFile(out: string): void {
    const target = path.resolve(out);
    const dir = path.dirname(target);
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        throw new InputError(`--out ${out}: ${target} is a directory; expected a file path`);
    }
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new InputError(`--out ${out}: no directory ${dir}; create it first or write elsewhere`);
    }
    try {
        fs.accessSync(dir, fs.constants.W_OK);
        if (fs.existsSync(target)) fs.accessSync(target, fs.constants.W_OK);
    } catch {
        throw new InputError(`--out ${out}: ${fs.existsSync(target) ? target : dir} is not writable`);
    }
}

/**
 * The phases to evaluate: `all` means every phase when the stack has a phase key, else the
 * stack as configured; `export` without --phase and `policy-config` are about the stack as its
 * file configures it. --phase on a stack without the phase key is refused before any work.
 */
function resolvePhases(options: Options, session: StackSession): number[] | undefined {
    const { values } = session;
    const phased = session.phaseValue !== undefined;
    if (options.phaseKeyGiven && !phased) {
        const keys = Object.keys(values).filter((k) => /^\d+$/.test(values[k]));
        throw new InputError(
            `--phase-key ${options.phaseKey}: stack "${options.stack}" does not set it; expected a config key the stack sets to its phase` +
                (keys.length > 0 ? ` (keys with a whole-number value: ${keys.join(", ")})` : " (it sets none with a whole-number value)"),
        );
    }
    if (options.phaseGiven && options.phases !== "all" && !phased) {
        throw new InputError(
            `--phase ${options.phases[0]}: stack "${options.stack}" does not set ${options.phaseKey}, the config key that selects a phase ` +
                "(--phase-key names another); leave --phase out to use the stack as configured",
        );
    }
    if (options.phases !== "all") return options.phases;
    if (!phased || (options.command === "export" && !options.phaseGiven)) return undefined;
    if (options.command === "policy-config") return [Number(values[options.phaseKey])];
    return Array.from({ length: maxPhase + 1 }, (_, i) => i);
}

function render(context: PlanContext, options: Options, session: StackSession): string {
    const policiesOnly = options.command === "check";
    switch (options.format) {
        case "text":
            // Wrapped to the terminal when the report goes to one, else to 80 columns.
            return formatText(context, { policiesOnly, width: !options.out && process.stdout.isTTY ? process.stdout.columns : 80 });
        case "markdown":
            return formatMarkdown(context, { policiesOnly });
        case "json":
            return JSON.stringify(context.report, null, 2) + "\n";
        case "sarif": {
            const { stackFile } = session;
            return formatSarif(
                context.report,
                { configUri: repoRelativePath(stackFile), configText: fs.readFileSync(stackFile, "utf8"), projectDir: options.cwd },
                version(),
            );
        }
    }
}

function costReport(plan: StackPlan, cost: PlanCost | undefined, options: Options): string {
    const byPhase = cost?.phases ?? estimateAsConfigured(plan);
    const estimates = plan.phases.map((p) => ({ phase: p.phase, estimate: byPhase.get(p.phase)! }));
    if (options.format === "json") {
        return JSON.stringify({ project: plan.project, stack: plan.stack, phases: estimates }, null, 2) + "\n";
    }
    if (options.format === "markdown") {
        if (!cost) return estimates.map(({ estimate }) => ["```", formatCostBreakdown(estimate, { stack: plan.stack }).trimEnd(), "```", ""].join("\n")).join("\n");
        return estimates.map(({ phase, estimate }) => formatCostDiffMarkdown(cost.baseline, estimate, `Phase ${phase} of ${plan.stack} against phase 0`, phase)).join("\n");
    }
    if (options.format === "sarif") throw new InputError("--format sarif: cost reports are text, markdown or json");
    return estimates.map(({ phase, estimate }) => formatCostBreakdown(estimate, { stack: plan.stack, phase: phase ?? undefined })).join("\n");
}

function emit(text: string, options: Options, io: CliIo): void {
    if (options.out) writeAtomically(options.out, text);
    else io.stdout(text);
}

/** Runs a plan-family command with the values the command table parsed; returns its exit code. */
export async function runPlanCommand(
    command: Command,
    values: Readonly<Record<string, string | boolean>>,
    io: CliIo,
    progress: Progress = silentProgress,
    packs: PackStarter = startPack,
): Promise<number> {
    let pack: Promise<PolicyPackHandle> | undefined;
    try {
        const options = optionsOf(command, values);
        if (options.command === "diff") {
            progress.step("diff: evaluating both sides");
            const { text, exitCode } = await runDiff(options, version());
            progress.done();
            emit(text, options, io);
            return exitCode;
        }
        if (options.command === "check" && !options.policyPack && !options.noPolicies) {
            throw new InputError(
                `check needs a policy pack: ${path.join(options.cwd, "policies")} has no PulumiPolicy.yaml; ` +
                    "pass --policy-pack DIR, or --policy-pack none to evaluate the program without any policy",
            );
        }
        // The stack file, read and checked once: everything below takes its values from here.
        const session = openStackSession(options.cwd, options.stack, { phaseKey: options.phaseKey, policyConfigKey: policyConfigKeyFor(options.phaseKey) });
        const phases = resolvePhases(options, session);
        const configFile = options.policyConfig !== undefined ? { configFile: options.policyConfig } : {};
        if (options.command === "policy-config" && !options.policyPack) {
            throw new InputError(
                `policy-config writes the config of the project's policy pack, and ${path.join(options.cwd, "policies")} has no PulumiPolicy.yaml`,
            );
        }
        if (options.command === "policy-config" || (options.policyPack && (options.command === "plan" || options.command === "check"))) {
            // The stack's own policy config is checked before any evaluation (a secret in it is refused).
            stackPolicyConfig({ session, ...configFile });
        }
        const packDir = options.policyPack ? path.relative(process.cwd(), options.policyPack) || "." : null;
        if (options.policyPack && (options.command === "plan" || options.command === "check" || options.command === "policy-config")) {
            // Started while the program runs: compiling the pack takes as long as the evaluations.
            progress.packStarting(packDir!);
            pack = packs({ packDir: options.policyPack, timeoutMs: options.policyTimeoutMs });
            pack.then(
                (handle) => progress.packReady(handle.info.name),
                () => undefined,
            );
        }
        const priced = phases !== undefined && options.command !== "export";
        const plan = await planStack({
            session,
            projectDir: options.cwd,
            stack: options.stack,
            phases,
            phaseKey: options.phaseKey,
            previews: options.command === "plan" || options.command === "check",
            jobTimeoutMs: options.evalTimeoutMs,
            ...(priced ? { baselinePhase } : {}),
            onProgress: (event) => progress.evaluation(event),
        });

        if (options.command === "export") {
            progress.done();
            emit(JSON.stringify(toStackExport(plan.phases[plan.phases.length - 1].graph), null, 2) + "\n", options, io);
            return 0;
        }
        const cost = priced ? estimatePlan(plan, session) : undefined;
        if (options.command === "policy-config") {
            const [only] = plan.phases;
            // Never emits what check would refuse (an unknown policy, a value of the wrong type): the
            // pack itself, started as check starts it, says which policies and settings it takes.
            progress.waitingForPack(packDir!);
            const config = policyConfigOf(
                only.phase,
                cost,
                { session, ...configFile },
                (await pack!).info,
            );
            progress.done();
            emit(JSON.stringify(config, null, 2) + "\n", options, io);
            return 0;
        }
        if (options.command === "cost") {
            progress.done();
            emit(costReport(plan, cost, options), options, io);
            return 0;
        }

        if (pack) progress.waitingForPack(packDir!);
        const violations = pack
            ? await analyzePlan(await pack, plan, {
                  session,
                  ...configFile,
                  packDir: options.policyPack!,
                  cost,
                  timeoutMs: options.policyTimeoutMs,
                  onPhase: (phase, resources) => progress.analysing(phase, resources),
              })
            : new Map<number | null, Violation[]>();
        // The pack as it names itself (its PolicyPack name), not the folder it is in.
        const packName = pack ? (await pack).info.name : options.policyPack ? path.basename(options.policyPack) : null;
        const context = buildReport(plan, packName, violations, cost);
        progress.done();
        emit(render(context, options, session), options, io);

        if (options.command === "check") {
            const failed = context.report.phases.flatMap((p) => mandatory(p.violations));
            return failed.length > 0 ? 1 : 0;
        }
        return 0;
    } finally {
        progress.done();
        await (await pack?.catch(() => undefined))?.close();
    }
}
