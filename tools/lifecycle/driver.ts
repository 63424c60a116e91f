/**
 * What `promote` and `rollback` need of a stack: read and set its config, run `up` with the
 * policy pack, read its outputs. The Automation API implementation is automationDriver.ts;
 * tests use a fake that records calls. Keeping this narrow is what lets every decision
 * (gate, stages, lock, history) be tested without the Pulumi CLI.
 */
import { openStackSession, StackSession } from "../engine/session";

export interface UpOptions {
    /** Policy pack directories, as `pulumi up --policy-pack`. */
    policyPacks: string[];
    /** Policy config files, as `pulumi up --policy-pack-config`. */
    policyPackConfigs: string[];
    /** Streamed engine output (progress). */
    onOutput?: (text: string) => void;
    /** The update's message, kept in the stack's history (`pulumi stack history`). */
    message?: string;
}

export interface UpSummary {
    /** "succeeded", or the engine's failure result. */
    result: string;
    /** Resource changes by operation (create, update, delete, same, …). */
    resourceChanges: Record<string, number>;
}

/** A config value to write: top-level text, or a structured value (kept with its types). */
export type ConfigInput = string | Record<string, unknown>;

export interface StackDriver {
    /** A fully qualified config value as the stack holds it (structured values as JSON), or undefined. */
    getConfig(key: string): Promise<string | undefined>;
    /**
     * Sets values in one write of the stack's config: a step's intent (its phase or share and
     * its record) is in the stack file entirely or not at all. Callers validate every value.
     */
    setConfig(values: Readonly<Record<string, ConfigInput>>): Promise<void>;
    up(options: UpOptions): Promise<UpSummary>;
    /** The outputs of the stack's last completed update (`{}` before the first). */
    outputs(): Promise<Record<string, unknown>>;
}

/** Opens a stack for a real run; the CLI's default is the Automation API. */
export type DriverFactory = (projectDir: string, stack: string) => Promise<StackDriver>;

/** Pulumi refused the update because another one of the same stack is running: a refusal, not a failure. */
export class StackBusyError extends Error {
    constructor(
        readonly stack: string,
        detail: string,
    ) {
        super(
            `another update of stack ${stack} is in progress (Pulumi: ${detail}); nothing was changed by this run. ` +
                `Wait for it to finish; if it is known to be dead, \`pulumi cancel --stack ${stack}\` (see docs/runbooks/failed-up.md)`,
        );
        this.name = "StackBusyError";
    }
}

export class DriverError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "DriverError";
    }
}

/**
 * The stack as `Pulumi.<stack>.yaml` declares it, for dry runs: reading only. Outputs are not
 * known offline (there is no state), so a dry run assumes the stack is where its config says.
 */
export function configFileDriver(session: StackSession): StackDriver;
export function configFileDriver(projectDir: string, stack: string): StackDriver;
export function configFileDriver(from: StackSession | string, stack?: string): StackDriver {
    const { values } = typeof from === "string" ? openStackSession(from, stack!) : from;
    const refuse = (what: string) => Promise.reject(new DriverError(`a dry run does not ${what}`));
    return {
        getConfig: async (key) => values[key],
        setConfig: () => refuse("set config"),
        up: () => refuse("run up"),
        outputs: async () => ({}),
    };
}
