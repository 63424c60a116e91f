/**
 * `migration`: the offline plan and policy check of a Pulumi stack's phases, without cloud
 * credentials and without the Pulumi CLI.
 *
 * Exit codes: 0 success; 1 `check` found a mandatory violation (`diff`: the change adds one, or
 * deletes a stateful resource); 2 any error (bad option, bad project or config, program
 * exception, policy pack crash or timeout).
 *
 * `promote`, `rollback` and `status` change a stack's phase; they are tools/lifecycle/cli.ts
 * (exit 1 there: refused by a gate, a lock or an aborted rollback).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseArgs } from "node:util";
import { maxPhase } from "../../components/targets";
import { PolicyPackHandle } from "../engine/analyzer";
import { toStackExport } from "../engine/deployment";
import { ConfigError } from "../../stacks/config";
import { formatCostBreakdown, formatCostDiffMarkdown } from "../cost/report";
import { PlanError, planStack, StackPlan } from "../engine/plan";
import { baselinePhase, estimateAsConfigured, estimatePlan, PlanCost } from "./cost";
import { checkStackName, ProjectError, readProject, readStackConfig } from "../engine/project";
import { defaultJobTimeoutMs } from "../engine/pool";
import { formatMarkdown } from "./formatMarkdown";
import { formatSarif, repoRelativePath } from "./formatSarif";
import { formatText } from "./formatText";
import { OutputError, writeAtomically } from "./output";
import { analyzePlan, PolicyPackError, policyConfigOf, resolvePolicyPack, stackPolicyConfig, startPack } from "./policies";
import { buildReport, mandatory, PlanContext, Violation } from "./report";
import { defaultDeps, isLifecycleCommand, lifecycleUsage, runLifecycle } from "../lifecycle/cli";
import { LifecycleDeps } from "../lifecycle/context";
import { runDiff } from "../diff/cli";

export const usage = `Usage: migration <command> [options]

Commands:
  plan           each phase's resources, promote and rollback previews, and policy verdict
  check          policies only: exit 0 when no mandatory violation, 1 when there is one
  export         one phase's resource graph (the stack as configured without --phase) as a
                 Pulumi stack export (deployment v3)
  cost           each phase's monthly and per-training cost against the phase-0 GCP baseline
                 (a project without phases: the stack as configured)
  diff           what the working tree changes against --base, per stack at its configured
                 phase: resources, property paths old → new, replacements, cost before and
                 after, new/fixed/unchanged policy findings (exit 1 as check, or when a
                 stateful resource is deleted or replaced)
  policy-config  the pack config of the stack's configured phase (its policy config, cost
                 baseline), for \`pulumi preview|up --policy-pack policies --policy-pack-config\`
  promote, rollback, status   change a stack's phase (see below)

Options:
  --stack NAME             stack to plan (default: dev; diff: every stack)
  --phase N|all            phase to plan, 0-${maxPhase} (default: all; export: as configured;
                           diff: N on both sides, default each stack's configured phase);
                           only for stacks that set the phase key
  --base REF               diff: the git ref to compare with (default: the merge base of
                           HEAD with the default branch)
  --cwd DIR                the Pulumi project directory (default: .)
  --policy-pack DIR|none   CrossGuard pack to run (default: <cwd>/policies when present;
                           check needs one, or "none" to run no policy on purpose)
  --policy-config FILE     policy config, in the format of \`pulumi up --policy-pack-config\`
  --policy-timeout SECS    longest wait for the pack to start or answer (default: 180)
  --eval-timeout SECS      longest an evaluation may go without registering a resource
                           (default: ${defaultJobTimeoutMs / 1000}; the total grows with the program)
  --phase-key KEY          config key that selects the phase (default: migration:phase)
  --format FORMAT          text, markdown, json or sarif (default: text)
  --out FILE               write the report to FILE instead of standard output (checked
                           before any work: its folder must exist and be writable)
  -h, --help               this help

Exit codes: 0 success, 1 mandatory policy violation (check; diff: a new one, or a stateful
resource deleted or replaced), 2 error.

${lifecycleUsage}`;

export class UsageError extends Error {
    constructor(
        message: string,
        /** Whether the help follows the message: for a malformed command line, not for a refused one. */
        readonly showUsage = true,
    ) {
        super(message);
        this.name = "UsageError";
    }
}

const commands = ["plan", "check", "export", "cost", "policy-config", "diff"] as const;
type Command = (typeof commands)[number];
const formats = ["text", "markdown", "json", "sarif"] as const;
type Format = (typeof formats)[number];

export interface CliIo {
    stdout(text: string): void;
    stderr(text: string): void;
}

const processIo: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

interface Options {
    command: Command;
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
    /** diff: the base ref, and the stack if one was named. */
    base?: string;
    stackOption?: string;
}

function parse(argv: readonly string[]): Options | "help" {
    let parsed;
    try {
        parsed = parseArgs({
            args: [...argv],
            allowPositionals: true,
            strict: true,
            options: {
                stack: { type: "string" },
                phase: { type: "string" },
                cwd: { type: "string" },
                "policy-pack": { type: "string" },
                "policy-config": { type: "string" },
                "phase-key": { type: "string" },
                "policy-timeout": { type: "string" },
                "eval-timeout": { type: "string" },
                format: { type: "string" },
                out: { type: "string" },
                base: { type: "string" },
                help: { type: "boolean", short: "h" },
            },
        });
    } catch (err) {
        throw new UsageError((err as Error).message);
    }
    const { values, positionals } = parsed;
    if (values.help || positionals.length === 0 || positionals[0] === "help") return "help";
    const [name, ...extra] = positionals;
    const command = commands.find((c) => c === name);
    if (!command) throw new UsageError(`unknown command "${name}": expected ${commands.join(", ")}, promote, rollback or status (first)`);
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"`);

    const format = (values.format ?? "text") as Format;
    if (!formats.includes(format)) throw new UsageError(`--format ${values.format}: expected one of ${formats.join(", ")}`);

    let phases: number[] | "all" = "all";
    if (values.phase !== undefined && values.phase !== "all") {
        const n = Number(values.phase);
        if (!/^\d+$/.test(values.phase) || n > maxPhase) {
            throw new UsageError(`--phase ${values.phase}: expected an integer from 0 to ${maxPhase}, or "all"`);
        }
        phases = [n];
    }
    if (command === "export" && values.phase === "all") throw new UsageError("export writes one graph: --phase N, or no --phase for the stack as configured");
    if (command === "diff" && values.phase === "all") throw new UsageError("--phase all: diff compares one phase, --phase N, or each stack's configured phase without --phase");
    if (command !== "diff" && values.base !== undefined) throw new UsageError("--base is an option of diff only");
    const stack = values.stack ?? "dev";
    try {
        checkStackName(stack);
    } catch (err) {
        throw new UsageError(`--stack: ${(err as Error).message}`, false);
    }
    if (values.out !== undefined) checkOutFile(values.out);

    const cwd = path.resolve(values.cwd ?? ".");
    const policyPack = resolvePolicyPack(cwd, values["policy-pack"], (message) => new UsageError(message));
    const timeout = values["policy-timeout"] ?? "180";
    if (!/^\d+$/.test(timeout) || Number(timeout) < 1) {
        throw new UsageError(`--policy-timeout ${timeout}: expected a whole number of seconds, at least 1`);
    }
    const evalTimeout = values["eval-timeout"] ?? String(defaultJobTimeoutMs / 1000);
    if (!/^\d+$/.test(evalTimeout) || Number(evalTimeout) < 1) {
        throw new UsageError(`--eval-timeout ${evalTimeout}: expected a whole number of seconds, at least 1`);
    }
    if (values["policy-config"] !== undefined && !fs.existsSync(values["policy-config"])) {
        throw new UsageError(`--policy-config ${values["policy-config"]}: no such file`);
    }
    return {
        command,
        stack,
        phases,
        phaseGiven: values.phase !== undefined,
        cwd,
        policyPack,
        noPolicies: values["policy-pack"] === "none",
        evalTimeoutMs: Number(evalTimeout) * 1000,
        policyConfig: values["policy-config"],
        phaseKey: values["phase-key"] ?? "migration:phase",
        format,
        out: values.out,
        policyTimeoutMs: Number(timeout) * 1000,
        ...(values.base !== undefined ? { base: values.base } : {}),
        ...(values.stack !== undefined ? { stackOption: values.stack } : {}),
    };
}

/**
 * The report goes to a file only if it can: its folder exists and is writable, and the file
 * is not a folder. Checked before any work, so a mistake costs nothing.
 */
function checkOutFile(out: string): void {
    const target = path.resolve(out);
    const dir = path.dirname(target);
    if (fs.existsSync(target) && fs.statSync(target).isDirectory()) {
        throw new UsageError(`--out ${out}: ${target} is a directory; expected a file path`, false);
    }
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new UsageError(`--out ${out}: no directory ${dir}; create it first or write elsewhere`, false);
    }
    try {
        fs.accessSync(dir, fs.constants.W_OK);
        if (fs.existsSync(target)) fs.accessSync(target, fs.constants.W_OK);
    } catch {
        throw new UsageError(`--out ${out}: ${fs.existsSync(target) ? target : dir} is not writable`, false);
    }
}

/**
 * The phases to evaluate: `all` means every phase when the stack has a phase key, else the
 * stack as configured; `export` without --phase and `policy-config` are about the stack as its
 * file configures it. --phase on a stack without the phase key is refused before any work.
 */
function resolvePhases(options: Options): number[] | undefined {
    const project = readProject(options.cwd);
    const { values } = readStackConfig(project, options.stack);
    const phased = options.phaseKey in values;
    if (options.phaseGiven && options.phases !== "all" && !phased) {
        throw new UsageError(
            `--phase ${options.phases[0]}: stack "${options.stack}" does not set ${options.phaseKey}, the config key that selects a phase ` +
                "(--phase-key names another); leave --phase out to use the stack as configured",
            false,
        );
    }
    if (options.phases !== "all") return options.phases;
    if (!phased || (options.command === "export" && !options.phaseGiven)) return undefined;
    if (options.command === "policy-config") return [Number(values[options.phaseKey])];
    return Array.from({ length: maxPhase + 1 }, (_, i) => i);
}

/** The stack config key holding per-stack policy config: `policyConfig` in the phase key's namespace. */
function policyConfigKeyOf(options: Options): string {
    return `${options.phaseKey.split(":")[0]}:policyConfig`;
}

function render(context: PlanContext, options: Options): string {
    const policiesOnly = options.command === "check";
    switch (options.format) {
        case "text":
            return formatText(context, { policiesOnly });
        case "markdown":
            return formatMarkdown(context, { policiesOnly });
        case "json":
            return JSON.stringify(context.report, null, 2) + "\n";
        case "sarif":
            return formatSarif(
                context.report,
                repoRelativePath(path.join(readProject(options.cwd).stackConfigDir, `Pulumi.${options.stack}.yaml`)),
                packageVersion(),
            );
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
        return estimates.map(({ phase, estimate }) => formatCostDiffMarkdown(cost.baseline, estimate, `Phase ${phase} of ${plan.stack} against phase 0`)).join("\n");
    }
    if (options.format === "sarif") throw new UsageError("--format sarif: cost reports are text, markdown or json");
    return estimates.map(({ phase, estimate }) => formatCostBreakdown(estimate, { stack: plan.stack, phase: phase ?? undefined })).join("\n");
}

function packageVersion(): string {
    const file = path.join(__dirname, "..", "..", "package.json");
    return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
}

function emit(text: string, options: Options, io: CliIo): void {
    if (options.out) writeAtomically(options.out, text);
    else io.stdout(text);
}

export async function main(argv: readonly string[], io: CliIo = processIo, deps: LifecycleDeps = defaultDeps): Promise<number> {
    // promote/rollback/status change a stack; their options and logic live in tools/lifecycle.
    if (isLifecycleCommand(argv[0])) return runLifecycle(argv, io, deps);
    let pack: Promise<PolicyPackHandle> | undefined;
    try {
        const options = parse(argv);
        if (options === "help") {
            io.stdout(usage + "\n");
            return 0;
        }
        if (options.command === "diff") {
            const { text, exitCode } = await runDiff(options, packageVersion());
            emit(text, options, io);
            return exitCode;
        }
        if (options.command === "check" && !options.policyPack && !options.noPolicies) {
            throw new UsageError(
                `check needs a policy pack: ${path.join(options.cwd, "policies")} has no PulumiPolicy.yaml; ` +
                    "pass --policy-pack DIR, or --policy-pack none to evaluate the program without any policy",
                false,
            );
        }
        const phases = resolvePhases(options);
        if (options.command === "policy-config" || (options.policyPack && (options.command === "plan" || options.command === "check"))) {
            // The stack's own policy config is checked before any evaluation (a secret in it is refused).
            stackPolicyConfig({ projectDir: options.cwd, stack: options.stack, configFile: options.policyConfig, policyConfigKey: policyConfigKeyOf(options) });
        }
        if (options.policyPack && (options.command === "plan" || options.command === "check")) {
            // Started while the program runs: compiling the pack takes as long as the evaluations.
            pack = startPack({ packDir: options.policyPack, timeoutMs: options.policyTimeoutMs });
            pack.catch(() => undefined);
        }
        const priced = phases !== undefined && options.command !== "export";
        const plan = await planStack({
            projectDir: options.cwd,
            stack: options.stack,
            phases,
            phaseKey: options.phaseKey,
            previews: options.command === "plan" || options.command === "check",
            jobTimeoutMs: options.evalTimeoutMs,
            ...(priced ? { baselinePhase } : {}),
        });

        if (options.command === "export") {
            emit(JSON.stringify(toStackExport(plan.phases[plan.phases.length - 1].graph), null, 2) + "\n", options, io);
            return 0;
        }
        const cost = priced ? estimatePlan(plan, options.cwd) : undefined;
        if (options.command === "policy-config") {
            const [only] = plan.phases;
            const config = policyConfigOf(only.phase, cost, {
                projectDir: options.cwd,
                stack: options.stack,
                configFile: options.policyConfig,
                policyConfigKey: policyConfigKeyOf(options),
                phaseKey: options.phaseKey,
            });
            emit(JSON.stringify(config, null, 2) + "\n", options, io);
            return 0;
        }
        if (options.command === "cost") {
            emit(costReport(plan, cost, options), options, io);
            return 0;
        }

        const violations = pack
            ? await analyzePlan(await pack, plan, {
                  projectDir: options.cwd,
                  stack: options.stack,
                  packDir: options.policyPack!,
                  configFile: options.policyConfig,
                  policyConfigKey: policyConfigKeyOf(options),
                  phaseKey: options.phaseKey,
                  cost,
                  timeoutMs: options.policyTimeoutMs,
              })
            : new Map<number | null, Violation[]>();
        const context = buildReport(plan, options.policyPack ? path.basename(options.policyPack) : null, violations, cost);
        emit(render(context, options), options, io);

        if (options.command === "check") {
            const failed = context.report.phases.flatMap((p) => mandatory(p.violations));
            return failed.length > 0 ? 1 : 0;
        }
        return 0;
    } catch (err) {
        if (err instanceof UsageError) {
            io.stderr(err.showUsage ? `migration: ${err.message}\n\n${usage}\n` : `migration: ${err.message}\n`);
            return 2;
        }
        if (err instanceof PolicyPackError) {
            io.stderr(`migration: policy pack: ${err.message}\n`);
            return 2;
        }
        if (err instanceof PlanError || err instanceof ProjectError || err instanceof ConfigError || err instanceof OutputError) {
            io.stderr(`migration: ${err.message}\n`);
            return 2;
        }
        io.stderr(`migration: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        return 2;
    } finally {
        await (await pack?.catch(() => undefined))?.close();
    }
}
