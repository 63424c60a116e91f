/**
 * The policy pack's process, started as the Pulumi CLI starts it: `node
 * <@pulumi/pulumi>/cmd/run-policy-pack <engine-address> <main>` in the pack's folder, which
 * compiles its TypeScript with ts-node and prints its gRPC port; with its type check only until
 * a start with the same inputs passed it (typeCheckRecord.ts). Kept apart from the RPC so
 * that what can go wrong before the pack serves (no pack, wrong runtime, a crash while
 * compiling, a hang) is reported in one place, with the pack's own stderr.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { parse as parseYaml } from "yaml";
import { adopt } from "../engine/children";
import { PolicyPackError } from "./errors";
import { checkPassed, packCheckKey, recordCheckPassed } from "./typeCheckRecord";

/** Run-policy-pack takes the engine's address first; a pack that serves only never dials it. */
const engineAddress = "127.0.0.1:0";
/** Preloaded when the pack's inputs passed the runner's type check before (typeCheckRecord.ts). */
const checkedStart = path.join(__dirname, "checkedStart.js");
const stderrKeep = 16 * 1024;

/**
 * Checks the pack folder and reads its `PulumiPolicy.yaml` as the CLI does: `runtime` must be
 * nodejs (this runner starts Node.js packs only) and `main`, when set, is the entry the pack
 * runs from. Returns the runner script and the program argument.
 */
export function checkPackDir(dir: string): { runner: string; program: string } {
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
        throw new PolicyPackError("missing", `policy pack not found: ${dir} is not a directory`);
    }
    const projectFile = path.join(dir, "PulumiPolicy.yaml");
    if (!fs.existsSync(projectFile)) {
        throw new PolicyPackError("missing", `policy pack not found: ${dir} has no PulumiPolicy.yaml`);
    }
    let doc: { runtime?: unknown; main?: unknown } | null;
    try {
        doc = parseYaml(fs.readFileSync(projectFile, "utf8")) as typeof doc;
    } catch (err) {
        throw new PolicyPackError("config", `${projectFile} is not valid YAML: ${(err as Error).message}`);
    }
    const runtime = doc && typeof doc.runtime === "object" && doc.runtime !== null ? (doc.runtime as { name?: unknown }).name : doc?.runtime;
    if (runtime !== "nodejs") {
        throw new PolicyPackError(
            "config",
            `${projectFile}: runtime ${runtime === undefined ? "is not set" : `= ${JSON.stringify(runtime)}`}; this runner starts Node.js policy packs (runtime: nodejs) only`,
        );
    }
    if (doc?.main !== undefined && typeof doc.main !== "string") {
        throw new PolicyPackError("config", `${projectFile}: main = ${JSON.stringify(doc.main)}; expected a path relative to the pack folder`);
    }
    const program = typeof doc?.main === "string" ? doc.main : ".";
    if (!fs.existsSync(path.resolve(dir, program))) {
        throw new PolicyPackError("missing", `${projectFile}: main = ${JSON.stringify(program)}, which does not exist in ${dir}`);
    }
    try {
        const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }));
        return { runner: path.join(sdk, "cmd", "run-policy-pack"), program };
    } catch {
        throw new PolicyPackError(
            "missing",
            `the policy pack in ${dir} cannot resolve @pulumi/pulumi; install its dependencies (npm ci)`,
        );
    }
}

/**
 * Starts the pack in `packDir` (an absolute path) and waits for its port; the process is
 * killed again when it does not serve within `timeoutMs`. The runner type-checks the pack
 * unless a start with the same inputs passed that check before (typeCheckRecord.ts), or
 * always with `typeCheckEveryStart`; a type-checked start that serves is recorded.
 */
export async function startPackProcess(
    packDir: string,
    options: { timeoutMs: number; env?: Record<string, string>; typeCheckEveryStart?: boolean },
): Promise<{ process: PackProcess; port: number }> {
    const { runner, program } = checkPackDir(packDir);
    const key = packCheckKey(packDir, program);
    const typeChecked = !key || options.typeCheckEveryStart === true || !checkPassed(key);
    const child = spawn(process.execPath, [...(typeChecked ? [] : ["-r", checkedStart]), runner, engineAddress, program], {
        cwd: packDir,
        env: { ...process.env, ...options.env },
        stdio: ["ignore", "pipe", "pipe"],
    });
    const process_ = new PackProcess(child, typeChecked);
    try {
        const port = await process_.port(options.timeoutMs);
        // Recorded only if no input changed while the runner read them.
        if (key && typeChecked && packCheckKey(packDir, program)?.digest === key.digest) recordCheckPassed(key);
        return { process: process_, port };
    } catch (error) {
        await process_.kill();
        throw error;
    }
}

/** The pack's process: its port line, its stderr tail, and its exit. */
export class PackProcess {
    private stderrTail = "";
    exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    private readonly exitPromise: Promise<void>;

    constructor(
        readonly child: ChildProcess,
        /** Whether the runner type-checked the pack at this start. */
        readonly typeChecked = true,
    ) {
        // A pack left behind would serve forever: it ends with this process, signals included.
        adopt(child);
        child.stderr!.setEncoding("utf8");
        child.stderr!.on("data", (chunk: string) => {
            this.stderrTail = (this.stderrTail + chunk).slice(-stderrKeep);
        });
        this.exitPromise = new Promise((resolve) => {
            child.on("exit", (code, signal) => {
                this.exited = { code, signal };
                resolve();
            });
            child.on("error", () => {
                this.exited ??= { code: null, signal: null };
                resolve();
            });
        });
    }

    get stderr(): string {
        return this.stderrTail.trim();
    }

    describeExit(): string {
        const e = this.exited;
        if (!e) return "is running";
        return e.signal ? `was killed by ${e.signal}` : `exited with code ${e.code}`;
    }

    port(timeoutMs: number): Promise<number> {
        return new Promise((resolve, reject) => {
            const lines = readline.createInterface({ input: this.child.stdout! });
            const done = (fn: () => void) => {
                clearTimeout(timer);
                lines.close();
                // Keep draining: a pack that logs to stdout must never block on a full pipe.
                this.child.stdout!.resume();
                fn();
            };
            const timer = setTimeout(
                () =>
                    done(() =>
                        reject(
                            new PolicyPackError(
                                "timeout",
                                `the policy pack did not print its port within ${timeoutMs} ms (it may be hanging or still compiling)`,
                                this.stderr,
                            ),
                        ),
                    ),
                timeoutMs,
            );
            lines.on("line", (line) => {
                const trimmed = line.trim();
                if (/^\d+$/.test(trimmed)) done(() => resolve(Number(trimmed)));
            });
            this.exitPromise.then(() =>
                done(() =>
                    reject(new PolicyPackError("crashed", `the policy pack ${this.describeExit()} before serving`, this.stderr)),
                ),
            );
        });
    }

    onExit(): Promise<void> {
        return this.exitPromise;
    }

    async kill(): Promise<void> {
        if (this.exited) return;
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 3000);
        await this.exitPromise;
        clearTimeout(timer);
    }
}
