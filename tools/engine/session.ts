/**
 * One command's view of its stack: the project, and what `Pulumi.<stack>.yaml` says (its
 * values, its secret keys, the phase it is at, where its policy config is), read and checked
 * once when the command starts. Each layer used to re-read the file from a (projectDir, stack)
 * pair; besides the repeated work, a file edited mid-command could then give one command two
 * answers. It holds the stack file's facts only: no options, no derived plans or prices.
 */
import { ProjectInfo, readProject, readStackConfig, StackConfig, stackFileOf } from "./project";

/** How a session reads the project and the stack file; injectable so that a test can count reads. */
export interface StackFileReader {
    readProject(dir: string): ProjectInfo;
    readStackConfig(project: ProjectInfo, stack: string): StackConfig;
}

export const stackFileReader: StackFileReader = { readProject, readStackConfig };

export interface StackSession {
    readonly project: ProjectInfo;
    /** The stack as the command names it (its own name, or qualified). */
    readonly stack: string;
    /** `Pulumi.<stack>.yaml`. */
    readonly stackFile: string;
    /** The config the program sees: the project's defaults under the stack's values, fully qualified keys. */
    readonly values: Readonly<Record<string, string>>;
    readonly secretKeys: readonly string[];
    /** The config key that selects the phase, and its value as written; absent when the stack is not phased. */
    readonly phaseKey: string;
    readonly phaseValue: string | undefined;
    /** The config key holding the stack's policy config. */
    readonly policyConfigKey: string;
}

export const defaultPhaseKey = "migration:phase";

/** `policyConfig` in the phase key's namespace: `migration:phase` → `migration:policyConfig`. */
export function policyConfigKeyFor(phaseKey: string): string {
    return `${phaseKey.split(":")[0]}:policyConfig`;
}

export interface SessionOptions {
    phaseKey?: string;
    policyConfigKey?: string;
}

/**
 * Reads the project in `projectDir` and its stack's file, once. Throws the loader's
 * ProjectError (naming the file) on a missing project or stack, or YAML that does not parse.
 */
export function openStackSession(projectDir: string, stack: string, options: SessionOptions = {}, reader: StackFileReader = stackFileReader): StackSession {
    const project = reader.readProject(projectDir);
    const { values, secretKeys } = reader.readStackConfig(project, stack);
    const phaseKey = options.phaseKey ?? defaultPhaseKey;
    return Object.freeze({
        project,
        stack,
        stackFile: stackFileOf(project, stack),
        values: Object.freeze({ ...values }),
        secretKeys: Object.freeze([...secretKeys]),
        phaseKey,
        phaseValue: values[phaseKey],
        policyConfigKey: options.policyConfigKey ?? policyConfigKeyFor(phaseKey),
    });
}

/** Where a stack is, for the functions that still take a (projectDir, stack) pair beside a session. */
export interface StackLocation {
    projectDir: string;
    stack: string;
    phaseKey?: string;
    policyConfigKey?: string;
}

/** The session given, or one opened for a (projectDir, stack) pair: the thin path kept for callers outside a command. */
export function sessionOf(from: { session: StackSession } | StackLocation): StackSession {
    if ("session" in from) return from.session;
    return openStackSession(from.projectDir, from.stack, {
        ...(from.phaseKey !== undefined ? { phaseKey: from.phaseKey } : {}),
        ...(from.policyConfigKey !== undefined ? { policyConfigKey: from.policyConfigKey } : {}),
    });
}
