/**
 * The lifecycle subcommands of `migration`: promote, rollback (immediate or gradual), status.
 * Options are parsed here; each command's logic is in its own module.
 *
 * Exit codes: 0 done (or, for a gradual rollback, nothing due yet); 1 refused by a rule (a
 * failed gate, the stack locked by another run or updated by another Pulumi run, an aborted
 * gradual rollback, a stack whose config disagrees with its deployment, a dry run that would
 * delete stateful resources); 2 bad input or an error (bad --to, unknown stack, unreadable
 * results or state files, a failed up).
 */
import * as path from "node:path";
import { parseArgs } from "node:util";
import { BenchmarkResultsError } from "../../components/gates";
import { maxPhase } from "../../components/targets";
import { ConfigError } from "../../stacks/config";
import { costRatioConfigFor, resolvePolicyPack } from "../cli/policies";
import { PlanError } from "../engine/plan";
import { ProjectError } from "../engine/project";
import { automationDriver } from "./automationDriver";
import { cloudQuotasReader } from "./quota";
import { LifecycleDeps, LifecycleOptions, LifecycleUsageError, RefusedError, resolveStateDir, UpFailedError } from "./context";
import { DriverError } from "./driver";
import { gradualRollback } from "./gradual";
import { CliIoLike } from "./io";
import { promote } from "./promote";
import { ResultsFileError } from "./results";
import { TableSourceError } from "./benchmarkTable";
import { rollback } from "./rollback";
import { currentUser, StateFileError } from "./state";
import { status } from "./status";

export const lifecycleCommands = ["promote", "rollback", "status"] as const;
export type LifecycleCommand = (typeof lifecycleCommands)[number];

export const lifecycleUsage = `Lifecycle commands (change a stack through the Pulumi Automation API):
  promote  --stack S --to N [--results FILE] [--results-table CATALOG.SCHEMA.TABLE] [--dry-run]
           one phase up, when the gate for leaving the current phase passes
  rollback --stack S [--to N] [--dry-run]
           immediate recovery: lower the phase (default: one down; --to 0: all GCP), no gate
  rollback --stack S --gradual [--dry-run] [--abort]
           from phase 3: the seed's three stages of the workload share, then phase 0 (GCP);
           rerun to apply the step that is due, --abort to stop where it is
  status   --stack S [--format text|json]
           phase (declared and deployed), share, data phase, gradual rollback, lock, history

A step is read from the stack itself (its config and its last completed update): rerunning a
command that was interrupted retries the same step.

Lifecycle options:
  --results FILE      benchmark results: JSON { phase, metrics } or CSV metric,value | metric,databricks,gcp
  --results-table T   the benchmark_results Delta table, through a SQL warehouse (env DATABRICKS_HOST,
                      DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN); the suite's ratios, a file gives the rest
  --dry-run           show what the step does with the offline engine; change nothing
  --state-dir DIR     history and lock (default: <cwd>/.migration/<stack>)
  --cwd, --policy-pack, --phase-key as above

Exit codes: 0 done, 1 refused (gate, lock, aborted rollback, unsafe dry run), 2 bad input or error.`;

export function isLifecycleCommand(name: string | undefined): name is LifecycleCommand {
    return (lifecycleCommands as readonly string[]).includes(name ?? "");
}

export const defaultDeps: LifecycleDeps = {
    driverFactory: automationDriver,
    now: () => new Date(),
    user: () => currentUser(),
    progress: (text) => process.stderr.write(text),
    costRatioConfig: (options, phase) => costRatioConfigFor(options.cwd, options.stack, options.phaseKey, phase),
    quotaReader: cloudQuotasReader(),
};

function phaseArg(name: string, value: string | undefined): number | undefined {
    if (value === undefined) return undefined;
    if (!/^\d+$/.test(value) || Number(value) > maxPhase) {
        throw new LifecycleUsageError(`${name} ${value}: expected an integer from 0 to ${maxPhase}`);
    }
    return Number(value);
}

export async function runLifecycle(argv: readonly string[], io: CliIoLike, deps: LifecycleDeps = defaultDeps): Promise<number> {
    try {
        let parsed;
        try {
            parsed = parseArgs({
                args: [...argv],
                allowPositionals: true,
                strict: true,
                options: {
                    stack: { type: "string" },
                    to: { type: "string" },
                    results: { type: "string" },
                    "results-table": { type: "string" },
                    "dry-run": { type: "boolean" },
                    gradual: { type: "boolean" },
                    abort: { type: "boolean" },
                    cwd: { type: "string" },
                    "policy-pack": { type: "string" },
                    "phase-key": { type: "string" },
                    "state-dir": { type: "string" },
                    format: { type: "string" },
                    help: { type: "boolean", short: "h" },
                },
            });
        } catch (err) {
            throw new LifecycleUsageError((err as Error).message);
        }
        const { values, positionals } = parsed;
        if (values.help) {
            io.stdout(lifecycleUsage + "\n");
            return 0;
        }
        const [command, ...extra] = positionals;
        if (!isLifecycleCommand(command)) throw new LifecycleUsageError(`unknown command "${command}"`);
        if (extra.length > 0) throw new LifecycleUsageError(`unexpected argument "${extra[0]}"`);
        if (!values.stack) throw new LifecycleUsageError(`${command} needs --stack NAME: a change is never made to a default stack`);
        const cwd = path.resolve(values.cwd ?? ".");
        const policyPack = resolvePolicyPack(cwd, values["policy-pack"], (message) => new LifecycleUsageError(message));
        const options: LifecycleOptions = {
            stack: values.stack,
            cwd,
            phaseKey: values["phase-key"] ?? "migration:phase",
            policyPack,
            stateDir: resolveStateDir(cwd, values.stack, values["state-dir"]),
            dryRun: values["dry-run"] ?? false,
        };
        const to = phaseArg("--to", values.to);
        const misplaced = (flag: string, allowed: boolean) => {
            if (!allowed) throw new LifecycleUsageError(`${flag} does not apply to ${command}${values.gradual ? " --gradual" : ""}`);
        };
        if (values.results !== undefined) misplaced("--results", command === "promote");
        if (values["results-table"] !== undefined) misplaced("--results-table", command === "promote");
        if (values.gradual) misplaced("--gradual", command === "rollback");
        if (values.abort) misplaced("--abort", command === "rollback" && values.gradual === true);
        if (values.format !== undefined) misplaced("--format", command === "status");
        if (values.to !== undefined) misplaced("--to", command === "promote" || (command === "rollback" && !values.gradual));
        if (values["dry-run"]) misplaced("--dry-run", command !== "status");

        switch (command) {
            case "promote":
                if (to === undefined) throw new LifecycleUsageError("promote needs --to N, the next phase");
                return await promote(options, { to, results: values.results, resultsTable: values["results-table"] }, deps, io);
            case "rollback":
                return values.gradual ? await gradualRollback(options, { abort: values.abort ?? false }, deps, io) : await rollback(options, { to }, deps, io);
            case "status": {
                const format = values.format ?? "text";
                if (format !== "text" && format !== "json") throw new LifecycleUsageError(`--format ${format}: expected text or json`);
                return await status(options, format, deps, io);
            }
        }
    } catch (err) {
        if (err instanceof RefusedError) {
            io.stderr(`migration: refused: ${err.message}\n`);
            return 1;
        }
        if (err instanceof LifecycleUsageError) {
            io.stderr(`migration: ${err.message}\n\n${lifecycleUsage}\n`);
            return 2;
        }
        if (
            err instanceof ResultsFileError ||
            err instanceof TableSourceError ||
            err instanceof BenchmarkResultsError ||
            err instanceof ProjectError ||
            err instanceof ConfigError ||
            err instanceof PlanError ||
            err instanceof DriverError ||
            err instanceof StateFileError ||
            err instanceof UpFailedError
        ) {
            io.stderr(`migration: ${err.message}\n`);
            return 2;
        }
        io.stderr(`migration: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        return 2;
    }
}
