/**
 * The lifecycle commands of `migration`: promote, rollback (immediate or gradual), status. The
 * command table (tools/cli/commandTable.js) parses their options and main.ts maps errors to
 * exit codes; what the options mean together is checked here, and each command's logic is in
 * its own module.
 *
 * Exit codes: 0 done (or, for a gradual rollback, nothing due yet); 1 refused by a rule (a
 * failed gate, the stack locked by another run or updated by another Pulumi run, an aborted
 * gradual rollback, a stack whose config disagrees with its deployment, a dry run that would
 * delete stateful resources); 2 bad input or an error (bad --to, unknown stack, unreadable
 * results or state files, a failed up).
 */
import * as path from "node:path";
import { costRatioConfigFor } from "../pack/config";
import { resolvePolicyPack } from "../pack/run";
import { checkStackName, readProject } from "../engine/project";
import { automationDriver } from "./automationDriver";
import { cloudQuotasReader } from "./quota";
import { LifecycleDeps, LifecycleOptions, LifecycleUsageError, resolveStateDir, sessionOnce, stackSession } from "./context";
import { gradualRollback } from "./gradual";
import { CliIoLike } from "./io";
import { promote } from "./promote";
import { rollback } from "./rollback";
import { currentUser } from "./state";
import { status } from "./status";

export type LifecycleCommand = "promote" | "rollback" | "status";

export const defaultDeps: LifecycleDeps = {
    driverFactory: automationDriver,
    now: () => new Date(),
    user: () => currentUser(),
    progress: (text) => process.stderr.write(text),
    costRatioConfig: (options, phase) => costRatioConfigFor(stackSession(options), phase),
    quotaReader: cloudQuotasReader(),
};

/**
 * Runs a lifecycle command with the values the command table parsed (their form already
 * checked); throws what main.ts turns into a message and an exit code.
 */
export async function runLifecycle(
    command: LifecycleCommand,
    values: Readonly<Record<string, string | boolean>>,
    io: CliIoLike,
    deps: LifecycleDeps = defaultDeps,
): Promise<number> {
    const str = (name: string) => values[name] as string | undefined;
    const flag = (name: string) => values[name] === true;
    // The command table has checked the options' form and rules (--stack given, --to with promote…).
    const stackOption = str("stack")!;
    const cwd = path.resolve(str("cwd") ?? ".");
    const policyPack = resolvePolicyPack(cwd, str("policy-pack"), (message) => new LifecycleUsageError(message));
    let project;
    try {
        project = readProject(cwd);
    } catch {
        project = undefined;
    }
    // `acme/prod` is stack `prod` (its file Pulumi.prod.yaml); the Automation API selects it by its full name.
    const stack = checkStackName(stackOption, project);
    const phaseKey = str("phase-key") ?? "migration:phase";
    const options: LifecycleOptions = {
        stack,
        ...(stack !== stackOption ? { qualifiedStack: stackOption } : {}),
        cwd,
        phaseKey,
        policyPack,
        stateDir: resolveStateDir(cwd, stack, str("state-dir")),
        dryRun: flag("dry-run"),
        session: sessionOnce(cwd, stack, phaseKey),
    };
    const to = str("to") === undefined ? undefined : Number(str("to"));

    switch (command) {
        case "promote":
            return await promote(options, { to: to!, results: str("results"), resultsTable: str("results-table") }, deps, io);
        case "rollback":
            return flag("gradual") ? await gradualRollback(options, { abort: flag("abort") }, deps, io) : await rollback(options, { to }, deps, io);
        case "status":
            return await status(options, (str("format") ?? "text") as "text" | "json", deps, io);
    }
}
