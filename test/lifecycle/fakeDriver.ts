/**
 * A stack driver that records every call and keeps config in memory, as the Automation API
 * would keep it in Pulumi.<stack>.yaml. Tests script failures and pauses of `up`.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main } from "../../tools/cli/main";
import { StackDriver, UpOptions, UpSummary } from "../../tools/lifecycle/driver";
import { LifecycleDeps } from "../../tools/lifecycle/context";
import { readProject, readStackConfig } from "../../tools/engine/project";
import { projectDir } from "../harness";

export type Call = { op: "setConfig"; key: string; value: string; path: boolean } | { op: "up"; options: UpOptions; policyConfig: unknown[] };

export class FakeDriver implements StackDriver {
    readonly calls: Call[] = [];
    config: Record<string, string>;
    /** Throws from the n-th call (1-based, counting setConfig and up). */
    failAtCall?: number;
    /** Awaited inside `up` (to hold a run while another starts). */
    upGate?: Promise<void>;
    outputValues: Record<string, unknown> = {};

    constructor(stack = "dev", overrides: Record<string, unknown> = {}) {
        this.config = { ...readStackConfig(readProject(projectDir), stack).values };
        for (const [k, v] of Object.entries(overrides)) this.config[k] = typeof v === "string" ? v : JSON.stringify(v);
    }

    private count(): void {
        if (this.failAtCall !== undefined && this.calls.length === this.failAtCall) {
            this.failAtCall = undefined;
            throw new Error("injected failure");
        }
    }

    async getConfig(key: string) {
        return this.config[key];
    }

    async setConfig(key: string, value: string, options?: { path?: boolean }) {
        this.calls.push({ op: "setConfig", key, value, path: options?.path ?? false });
        this.count();
        if (options?.path) {
            const [root, field] = [key.slice(0, key.indexOf(".")), key.slice(key.indexOf(".") + 1)];
            const object = this.config[root] ? JSON.parse(this.config[root]) : {};
            object[field] = Number(value);
            this.config[root] = JSON.stringify(object);
        } else {
            this.config[key] = value;
        }
    }

    async up(options: UpOptions): Promise<UpSummary> {
        // The policy config file is removed after up: read it now.
        const policyConfig = options.policyPackConfigs.map((f) => JSON.parse(fs.readFileSync(f, "utf8")));
        this.calls.push({ op: "up", options, policyConfig });
        this.count();
        if (this.upGate) await this.upGate;
        this.outputValues = { ...this.outputValues, dataPhase: Math.max(Number(this.config["migration:phase"]), Number(this.outputValues.dataPhase ?? 0)) };
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
