/**
 * `migration status --stack S`: where the stack is (phase, workload share, data phase), the
 * gradual rollback's stage, and the history of transitions. Config comes from the stack file;
 * the data phase is a stack output, read through the driver when the Pulumi CLI can answer.
 */
import { phases } from "../../components/targets";
import { checkStack, currentPhase, currentShare, LifecycleDeps, LifecycleOptions } from "./context";
import { configFileDriver } from "./driver";
import { CliIoLike } from "./io";
import { describeProgress } from "./schedule";
import { readHistory, readProgress, Transition } from "./state";

/** The program's output naming the data layer it keeps (stacks/dataLayer.ts; tools do not import stacks). */
const dataPhaseOutput = "dataPhase";

function formatTransition(t: Transition): string {
    const share = t.toShare !== undefined ? ` share ${t.fromShare ?? "?"} → ${t.toShare}` : "";
    const stage = t.stage !== undefined ? ` stage ${t.stage}` : "";
    const gate = t.gate ? ` gate ${t.gate.status}` : "";
    return `  ${t.at}  ${t.kind}${stage}  phase ${t.fromPhase} → ${t.toPhase}${share}${gate}  ${t.result}  by ${t.who}`;
}

export async function status(options: LifecycleOptions, format: "text" | "json", deps: LifecycleDeps, io: CliIoLike): Promise<number> {
    checkStack(options);
    const config = configFileDriver(options.cwd, options.stack);
    const phase = await currentPhase(config, options.phaseKey);
    const share = await currentShare(config);
    let dataPhase: unknown;
    let dataPhaseNote: string | undefined;
    try {
        const driver = await deps.driverFactory(options.cwd, options.stack);
        dataPhase = (await driver.outputs())[dataPhaseOutput];
    } catch (err) {
        dataPhaseNote = `unknown: the stack's outputs could not be read (${(err as Error).message.split("\n")[0]})`;
    }
    const progress = readProgress(options.stateDir);
    const history = readHistory(options.stateDir);
    if (format === "json") {
        io.stdout(JSON.stringify({ stack: options.stack, phase, databricksShare: share, dataPhase: dataPhase ?? null, gradualRollback: progress ?? null, history }, null, 2) + "\n");
        return 0;
    }
    const lines = [
        `stack ${options.stack}`,
        `  phase: ${phase} (${phases[phase]?.name ?? "?"})`,
        `  Databricks workload share: ${share}${phase < 3 ? " (applies at phase 3)" : ""}`,
        `  data phase: ${dataPhase !== undefined ? String(dataPhase) : (dataPhaseNote ?? "not yet deployed")}`,
        `  gradual rollback: ${progress ? describeProgress(progress) : "none"}`,
        `  history (${history.length}):`,
        ...(history.length === 0 ? ["  (no transitions recorded)"] : history.map(formatTransition)),
    ];
    io.stdout(lines.join("\n") + "\n");
    return 0;
}
