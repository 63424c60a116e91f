/**
 * `migration`: one command line for the offline plan and policy check of a Pulumi stack's
 * phases (plan, check, export, cost, diff, policy-config; tools/cli/run.ts) and for the
 * commands that change a stack's phase (promote, rollback, status; tools/lifecycle/cli.ts).
 *
 * The command table (commandTable.js) parses the command line and writes every help text; a
 * command's code is loaded only when that command runs. Errors become exit codes here, in one
 * place: 0 success; 1 refused or blocked (`check`: a mandatory violation; `diff`: a new one,
 * or a stateful resource deleted or replaced; lifecycle: a failed gate, a lock, an aborted
 * rollback, an unsafe dry run); 2 bad input or an error.
 */
import type { LifecycleDeps } from "../lifecycle/context";
import type { PackStarter } from "../pack/run";
import { formatUsageError, parseCommandLine, UsageError } from "./commandTable";
import { createProgress, Progress, ProgressStream } from "./progress";

export interface CliIo {
    stdout(text: string): void;
    stderr(text: string): void;
}

const processIo: CliIo = {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
};

/** What a run may be given besides its arguments: tests pass fakes. */
export interface MainOptions {
    /** Where progress goes; shown only when it is a terminal (default: standard error, when `io` is the process's). */
    progressStream?: ProgressStream;
    /**
     * How plan, check and policy-config get the policy pack (default: a new process each run,
     * as the Pulumi CLI starts it). A host that runs many commands may hand out one started
     * pack: every analysis configures the pack afresh, so runs do not see each other's config.
     */
    packs?: PackStarter;
}

/**
 * Errors a user can act on, by name: their message is the whole answer, on one line. Matched by
 * name so that this map loads none of the modules that define them.
 */
const exitCodes: Record<string, { code: number; prefix?: string }> = {
    RefusedError: { code: 1, prefix: "refused: " },
    PolicyPackError: { code: 2, prefix: "policy pack: " },
    InputError: { code: 2 },
    LifecycleUsageError: { code: 2 },
    PlanError: { code: 2 },
    ProjectError: { code: 2 },
    ConfigError: { code: 2 },
    OutputError: { code: 2 },
    GitError: { code: 2 },
    ResultsFileError: { code: 2 },
    TableSourceError: { code: 2 },
    BenchmarkResultsError: { code: 2 },
    DriverError: { code: 2 },
    StateFileError: { code: 2 },
    UpFailedError: { code: 2 },
    PriceOverrideError: { code: 2 },
};

/** The exit code of an error and what is printed for it. */
export function reportError(err: unknown, io: CliIo): number {
    if (err instanceof UsageError) {
        io.stderr(formatUsageError(err));
        return 2;
    }
    const known = err instanceof Error ? exitCodes[err.name] : undefined;
    if (known && err instanceof Error) {
        io.stderr(`migration: ${known.prefix ?? ""}${err.message}\n`);
        return known.code;
    }
    io.stderr(`migration: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 2;
}

export async function main(argv: readonly string[], io: CliIo = processIo, deps?: LifecycleDeps, options: MainOptions = {}): Promise<number> {
    try {
        const parsed = parseCommandLine(argv);
        if (parsed.kind !== "run") {
            io.stdout(parsed.text);
            return 0;
        }
        const { command, values } = parsed;
        if (command.module === "lifecycle") {
            const { runLifecycle } = await import("../lifecycle/cli");
            return await runLifecycle(command.name as "promote" | "rollback" | "status", values, io, deps);
        }
        const progress: Progress = createProgress({ stream: options.progressStream ?? (io === processIo ? process.stderr : { write: () => true }), quiet: values.quiet === true });
        const { runPlanCommand } = await import("./run");
        return await runPlanCommand(command.name as Parameters<typeof runPlanCommand>[0], values, io, progress, options.packs);
    } catch (err) {
        return reportError(err, io);
    }
}
