/**
 * A stack driver that records every call and keeps config in memory, as the Automation API
 * would keep it in Pulumi.<stack>.yaml. Tests script failures and pauses of `up`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../tools/cli/main";
import { ConfigInput, StackDriver, UpOptions, UpSummary } from "../../tools/lifecycle/driver";
import { LifecycleDeps } from "../../tools/lifecycle/context";
import { readProject, readStackConfig } from "../../tools/engine/project";
import { projectDir } from "../harness";

export type Call = { op: "setConfig"; values: Record<string, ConfigInput> } | { op: "up"; options: UpOptions; policyConfig: unknown[] };

export class FakeDriver implements StackDriver {
    readonly calls: Call[] = [];
    config: Record<string, string>;
    /** Throws from the n-th call (1-based, counting setConfig and up). */
    failAtCall?: number;
    /** Awaited inside `up` (to hold a run while another starts, or forever: a killed run). */
    upGate?: Promise<void>;
    /** The outputs of the last completed update, as the program exports them. */
    outputValues: Record<string, unknown> = {};

    constructor(stack = "dev", overrides: Record<string, unknown> = {}, options: { deployed?: boolean } = {}) {
        this.config = { ...readStackConfig(readProject(projectDir), stack).values };
        for (const [k, v] of Object.entries(overrides)) this.config[k] = typeof v === "string" ? v : JSON.stringify(v);
        // By default the stack runs what its config declares, as after a completed up.
        if (options.deployed ?? true) this.completeUpdate();
    }

    private count(): void {
        if (this.failAtCall !== undefined && this.calls.length === this.failAtCall) {
            this.failAtCall = undefined;
            throw new Error("injected failure");
        }
    }

    /** What the program's outputs say after an update of the current config completed. */
    completeUpdate(): void {
        const phase = Number(this.config["migration:phase"]);
        this.outputValues = {
            phase,
            dataPhase: Math.max(phase, Number(this.outputValues.dataPhase ?? 0)),
            ...(phase === 3 ? { databricksShare: this.share ?? 0.6 } : {}),
        };
    }

    async getConfig(key: string) {
        return this.config[key];
    }

    async setConfig(values: Readonly<Record<string, ConfigInput>>) {
        this.calls.push({ op: "setConfig", values: structuredClone({ ...values }) });
        this.count();
        for (const [key, value] of Object.entries(values)) this.config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }

    async up(options: UpOptions): Promise<UpSummary> {
        // The policy config file is removed after up: read it now.
        const policyConfig = options.policyPackConfigs.map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
        this.calls.push({ op: "up", options, policyConfig });
        this.count();
        if (this.upGate) await this.upGate;
        this.completeUpdate();
        return { result: "succeeded", resourceChanges: { same: 10, update: 1 } };
    }

    async outputs() {
        return this.outputValues;
    }

    /** The Databricks share the config holds. */
    get share(): number | undefined {
        const raw = this.config["migration:workload"];
        return raw ? JSON.parse(raw).databricksShare : undefined;
    }

    /** The gradual rollback record the config holds. */
    get gradual(): Record<string, unknown> | undefined {
        const raw = this.config["migration:gradualRollback"];
        return raw ? JSON.parse(raw) : undefined;
    }
}

/** The phase and share changes the runs wrote, in order, as `key=value` (the record left out). */
export function changes(calls: readonly Call[]): string[] {
    return calls.flatMap((c) =>
        c.op !== "setConfig"
            ? []
            : Object.entries(c.values)
                  .filter(([key]) => key !== "migration:gradualRollback")
                  .map(([key, value]) => (typeof value === "string" ? `${key}=${value}` : `${key}.databricksShare=${String(value.databricksShare)}`)),
    );
}

export function tempDir(prefix = "migration-lifecycle-"): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Clock {
    now: Date;
}

export function fakeDeps(driver: FakeDriver, clock: Clock = { now: new Date("2026-03-02T09:00:00Z") }): LifecycleDeps {
    return {
        driverFactory: async () => driver,
        now: () => new Date(clock.now),
        user: () => "test-user <test@example.com>",
    };
}

export async function cli(argv: string[], deps: LifecycleDeps) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, deps);
    return { code, stdout, stderr };
}

/** argv common to every run: this project, a temporary state folder. */
export function base(stateDir: string, stack = "dev"): string[] {
    return ["--stack", stack, "--cwd", projectDir, "--state-dir", stateDir];
}

/**
 * A recording driver whose stack (config and last outputs) lives in a JSON file, as a real
 * stack lives outside the process that changes it: a run killed mid-step leaves the file as
 * the stack would be left, and another process opens the same stack.
 */
export class FileDriver extends FakeDriver {
    constructor(
        readonly file: string,
        stack = "dev",
        overrides: Record<string, unknown> = {},
    ) {
        super(stack, overrides);
        if (fs.existsSync(file)) {
            const saved = JSON.parse(fs.readFileSync(file, "utf8")) as { config: Record<string, string>; outputs: Record<string, unknown> };
            this.config = saved.config;
            this.outputValues = saved.outputs;
        } else {
            this.save();
        }
    }

    private save(): void {
        fs.writeFileSync(this.file, JSON.stringify({ config: this.config, outputs: this.outputValues }));
    }

    override async setConfig(values: Readonly<Record<string, ConfigInput>>) {
        await super.setConfig(values);
        this.save();
    }

    override completeUpdate(): void {
        super.completeUpdate();
        if (this.file) this.save();
    }
}
