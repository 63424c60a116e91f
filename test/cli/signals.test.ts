/**
 * A signal during `check` ends everything the CLI started: the policy pack and the evaluation
 * workers do not outlive it (re-parented to init, a pack would serve forever). Spawns the CLI
 * itself, the only way to send it a real signal; Linux only, as it reads /proc for children.
 */
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { evaluationCacheVariable } from "../../tools/engine/evaluationCache";
import { projectDir } from "../harness";
import { childrenOf } from "../processes";

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
        if (condition()) return true;
        await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return condition();
}

describe.skipIf(process.platform !== "linux")("signals", () => {
    it.each(["SIGTERM", "SIGINT"] as const)("%s during check ends the pack and the workers with the CLI", async (signal) => {
        // A pack that never answers keeps `check` waiting with its pack and a worker alive.
        const cli: ChildProcess = spawn(
            process.execPath,
            [
                path.join(projectDir, "bin/migration.js"),
                "check",
                "--cwd",
                path.join(projectDir, "test/fixtures/plain-project"),
                "--policy-pack",
                path.join(projectDir, "test/fixtures/packs/hanging"),
                "--policy-timeout",
                "600",
            ],
            // A real evaluation worker must be running when the signal comes: no cached graph.
            { stdio: "ignore", env: { ...process.env, [evaluationCacheVariable]: "" } },
        );
        const exited = new Promise<NodeJS.Signals | number | null>((resolve) => cli.on("exit", (code, s) => resolve(s ?? code)));
        let started: number[] = [];
        expect(await waitFor(() => (started = childrenOf(cli.pid!)).length >= 2, 60_000), "the pack and a worker start").toBe(true);
        cli.kill(signal);
        expect(await exited).toBe(signal);
        expect(await waitFor(() => started.every((pid) => !alive(pid)), 10_000), `left running: ${started.filter(alive).join(", ")}`).toBe(true);
    }, 120_000);
});
