/**
 * `migration status --stack S`: where the stack is (the phase and workload share its config
 * declares, and, when the Pulumi CLI can answer, the phase its last completed update ran at
 * and the data phase it keeps), the gradual rollback recorded in its config, a step whose run
 * was interrupted, who holds the lock, and the history of transitions.
 *
 * It reports everything it can read: a state file that cannot be read is named with how to
 * repair it, the rest is still shown, and the command exits 2.
 */
import { phaseCapabilities, phases } from "../../domain/targets";
import { checkStack, currentPhase, currentShare, LifecycleDeps, LifecycleOptions, readGradualRecord } from "./context";
import { configFileDriver, StackDriver } from "./driver";
import { CliIoLike } from "./io";
import { lockHolder } from "./lock";
import { describeProgress } from "./schedule";
import { readHistory, StateFileError, Transition, unfinishedStep } from "./state";

/** The program's output naming the data layer it keeps (stacks/dataLayer.ts; tools do not import stacks). */
const dataPhaseOutput = "dataPhase";

function formatTransition(t: Transition): string {
    const share = t.toShare !== undefined ? ` share ${t.fromShare ?? "?"} → ${t.toShare}` : "";
    const stage = t.stage !== undefined ? ` stage ${t.stage}` : "";
    const gate = t.gate ? ` gate ${t.gate.status}` : "";
    return `  ${t.at}  ${t.kind}${stage}  phase ${t.fromPhase} → ${t.toPhase}${share}${gate}  ${t.result}  by ${t.who}`;
}

export async function status(options: LifecycleOptions, format: "text" | "json", deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    const session = checkStack(options);
    // The stack through the Pulumi CLI when it can answer; otherwise its stack file, without outputs.
    let driver: StackDriver = configFileDriver(session);
    let outputs: Record<string, unknown> = {};
    let outputsNote: string | undefined;
    try {
        const live = await deps.driverFactory(options.cwd, options.qualifiedStack ?? options.stack);
        outputs = await live.outputs();
        driver = live;
    } catch (err) {
        outputsNote = `unknown: the stack's outputs could not be read (${(err as Error).message.split("\n")[0]})`;
    }
    const phase = await currentPhase(driver, options.phaseKey);
    const share = await currentShare(driver);
    const gradual = await readGradualRecord(driver);
    let history: Transition[] = [];
    let historyProblem: string | undefined;
    try {
        history = readHistory(options.stateDir);
    } catch (err) {
        if (!(err instanceof StateFileError)) throw err;
        historyProblem = err.message;
    }
    const unfinished = unfinishedStep(history);
    const holder = lockHolder(options.stateDir);
    const deployed = outputs.phase;
    if (format === "json") {
        io.stdout(
            JSON.stringify(
                {
                    stack: options.stack,
                    phase,
                    deployedPhase: deployed ?? null,
                    databricksShare: share,
                    dataPhase: outputs[dataPhaseOutput] ?? null,
                    gradualRollback: gradual ?? null,
                    unfinishedStep: unfinished ?? null,
                    lock: holder ?? null,
                    history,
                    ...(historyProblem ? { problems: [historyProblem] } : {}),
                },
                null,
                2,
            ) + "\n",
        );
    } else {
        const known = (value: unknown) => (value !== undefined ? String(value) : (outputsNote ?? "not yet deployed"));
        const lines = [
            `stack ${options.stack}`,
            `  phase: ${phase} (${phases[phase]?.name ?? "?"})`,
            `  last completed update ran at phase: ${known(deployed)}${deployed !== undefined && deployed !== phase ? " — the config is ahead: a step is pending or was interrupted" : ""}`,
            `  Databricks workload share: ${share}${phase < phaseCapabilities.hybrid ? ` (applies at phase ${phaseCapabilities.hybrid})` : ""}`,
            `  data phase: ${known(outputs[dataPhaseOutput])}`,
            `  gradual rollback: ${gradual ? describeProgress(gradual) : "none"}`,
            ...(unfinished ? [`  interrupted: ${unfinished.kind} phase ${unfinished.fromPhase} → ${unfinished.toPhase} started ${unfinished.at} has no outcome; rerun the same command to retry it`] : []),
            `  lock: ${holder ? `held by ${holder.command} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt})` : "free"}`,
            ...(historyProblem ? [`  history: unreadable: ${historyProblem}`] : [`  history (${history.length}):`, ...(history.length === 0 ? ["  (no transitions recorded)"] : history.map(formatTransition))]),
        ];
        io.stdout(lines.join("\n") + "\n");
    }
    if (historyProblem) {
        io.stderr(`migration: ${historyProblem}\n`);
        return 2;
    }
    return 0;
}
