/**
 * The child processes the engine starts (evaluation workers, policy packs) end with it. On a
 * normal exit they are killed; on SIGINT, SIGTERM or SIGHUP they are killed first and the
 * signal then takes its usual course (unless the embedding program handles it itself). Without
 * this, a pack interrupted during `check` would keep serving, re-parented to init.
 */
import { ChildProcess } from "node:child_process";

const live = new Set<ChildProcess>();
const signals = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let installed = false;

function killAll(): void {
    for (const child of live) {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    }
    live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
    killAll();
    // Only this handler listens: do what the signal would have done without it.
    if (process.listenerCount(signal) === 1) {
        for (const s of signals) process.off(s, onSignal);
        process.kill(process.pid, signal);
    }
}

function install(): void {
    if (installed) return;
    installed = true;
    process.on("exit", killAll);
    for (const signal of signals) process.on(signal, onSignal);
}

/** Ends `child` when this process ends. */
export function adopt(child: ChildProcess): void {
    install();
    live.add(child);
    const forget = () => live.delete(child);
    child.once("exit", forget);
    child.once("error", forget);
}

/** How many adopted children are still running (for tests). */
export function liveChildren(): number {
    return live.size;
}
