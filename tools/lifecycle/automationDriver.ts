/**
 * The real stack driver: `@pulumi/pulumi/automation` against the project directory, which
 * needs the Pulumi CLI on PATH and the stack's backend credentials. `setConfig` writes
 * `Pulumi.<stack>.yaml`, so a phase change is a file change the pipeline can commit.
 */
import type { Stack } from "@pulumi/pulumi/automation";
import { ConfigInput, DriverError, StackBusyError, StackDriver } from "./driver";

export async function automationDriver(projectDir: string, stackName: string): Promise<StackDriver> {
    // Loaded on use: dry runs and `status` must work where the Pulumi CLI is not installed.
    const { LocalWorkspace } = await import("@pulumi/pulumi/automation");
    let stack: Stack;
    try {
        stack = await LocalWorkspace.selectStack({ stackName, workDir: projectDir });
    } catch (err) {
        throw new DriverError(`cannot select stack "${stackName}" in ${projectDir} through the Pulumi CLI: ${(err as Error).message}`);
    }
    return stackDriver(stack, stackName);
}

/** The parts of an Automation API `Stack` the driver uses. */
export type AutomationStack = Pick<Stack, "getAllConfig" | "setAllConfigJson" | "up" | "outputs">;

export function stackDriver(stack: AutomationStack, stackName: string): StackDriver {
    return {
        async getConfig(key) {
            const all = await stack.getAllConfig();
            return all[key]?.value;
        },
        // `pulumi config set --path` stores 0.45 as the string "0.45" (only integers and booleans
        // keep a type), which the program's schema refuses: structured values are written whole,
        // as typed objects, through `config set-all --json`, in one write.
        setConfig: (values) => stack.setAllConfigJson(JSON.stringify(configJson(values))),
        async up({ policyPacks, policyPackConfigs, onOutput, message }) {
            try {
                const result = await stack.up({ policyPacks, policyPackConfigs, onOutput, message });
                return { result: result.summary.result, resourceChanges: { ...(result.summary.resourceChanges ?? {}) } };
            } catch (err) {
                throw upError(err, stackName);
            }
        },
        async outputs() {
            const outputs = await stack.outputs();
            return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, v.value]));
        },
    };
}

/**
 * Pulumi's `ConcurrentUpdateError` (a Pulumi Cloud 409, or a DIY backend's lock) means another
 * update of the stack is running: reported as a refusal naming the stack, with the line Pulumi
 * printed, rather than as a failed `up`.
 */
export function upError(err: unknown, stackName: string): unknown {
    if (!(err instanceof Error) || err.name !== "ConcurrentUpdateError") return err;
    const stderr = String((err as { commandResult?: { stderr?: unknown } }).commandResult?.stderr ?? err.message);
    const line = stderr.split("\n").find((l) => /Conflict|currently locked/.test(l))?.trim() ?? "another update is currently in progress";
    return new StackBusyError(stackName, line);
}

/** Values in the format of `pulumi config --json`, which `config set-all --json` reads back. */
export function configJson(values: Readonly<Record<string, ConfigInput>>): Record<string, { value: string; objectValue?: unknown; secret: false }> {
    return Object.fromEntries(
        Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? { value, secret: false as const } : { value: JSON.stringify(value), objectValue: value, secret: false as const }]),
    );
}
