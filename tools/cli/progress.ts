/**
 * Progress of a long command on standard error, one status line rewritten in place: which
 * phase is being evaluated, the policy pack starting, resources analysed, elapsed time. Shown
 * only when standard error is a terminal (a pipe or a CI log gets nothing) and not --quiet;
 * the report itself always goes to standard output or --out.
 */

/** The part of a stream progress needs; a test passes its own with `isTTY` set. */
export interface ProgressStream {
    isTTY?: boolean;
    columns?: number;
    write(text: string): unknown;
}

/** One evaluation the engine reports: started, still registering resources, or done. */
export interface EvaluationEvent {
    /** The phase evaluated, or null for the stack as configured. */
    phase: number | null;
    /** What the evaluation is for: the phase itself, or a rollback preview from the phase above. */
    purpose: "phase" | "rollback";
    state: "started" | "registering" | "done";
    registered: number;
}

export interface Progress {
    evaluation(event: EvaluationEvent): void;
    packStarting(name: string): void;
    packReady(name: string): void;
    waitingForPack(name: string): void;
    analysing(phase: number | null, resources: number): void;
    step(text: string): void;
    /** Clears the status line and prints the total, once. */
    done(): void;
}

export const silentProgress: Progress = {
    evaluation: () => undefined,
    packStarting: () => undefined,
    packReady: () => undefined,
    waitingForPack: () => undefined,
    analysing: () => undefined,
    step: () => undefined,
    done: () => undefined,
};

export interface ProgressOptions {
    stream: ProgressStream;
    quiet?: boolean;
    /** Milliseconds since some origin; injected by tests. */
    now?: () => number;
    /** Shortest interval between two redraws of the same line, in ms (default 100). */
    minIntervalMs?: number;
}

function seconds(ms: number): string {
    return `${(ms / 1000).toFixed(1)} s`;
}

function phaseLabel(phase: number | null): string {
    return phase === null ? "the stack as configured" : `phase ${phase}`;
}

/** Progress on `stream` when it is a terminal and not quiet; otherwise nothing at all. */
export function createProgress(options: ProgressOptions): Progress {
    if (!options.stream.isTTY || options.quiet) return silentProgress;
    const { stream } = options;
    const now = options.now ?? (() => performance.now());
    const minInterval = options.minIntervalMs ?? 100;
    const started = now();
    let lastDraw = -Infinity;
    let finished = false;
    let shown = false;
    const running = new Map<string, EvaluationEvent>();
    let evaluated = 0;
    let resources = 0;
    let pack: string | undefined;
    let analysed = 0;

    const draw = (text: string, force = false) => {
        if (finished) return;
        const t = now();
        if (!force && t - lastDraw < minInterval) return;
        lastDraw = t;
        const width = Math.max(20, (stream.columns || 80) - 1);
        const line = `${text} · ${seconds(t - started)}`;
        stream.write(`\r\x1b[K${line.length > width ? line.slice(0, width - 1) + "…" : line}`);
        shown = true;
    };

    const evaluationLine = () => {
        const current = [...running.values()].map((e) => (e.purpose === "rollback" ? `rollback preview to ${phaseLabel(e.phase)}` : phaseLabel(e.phase)));
        const registered = resources + [...running.values()].reduce((n, e) => n + e.registered, 0);
        const packPart = pack ? ` · pack ${pack} starting` : "";
        return `evaluating ${current.join(", ") || "…"} · ${evaluated} done · ${registered} resources${packPart}`;
    };

    return {
        evaluation(event) {
            const key = `${event.purpose}:${event.phase}`;
            if (event.state === "done") {
                running.delete(key);
                evaluated += 1;
                resources += event.registered;
            } else {
                running.set(key, event);
            }
            draw(evaluationLine(), event.state !== "registering");
        },
        packStarting(name) {
            pack = name;
            draw(`policy pack ${name} starting`, true);
        },
        packReady(name) {
            pack = undefined;
            draw(`policy pack ${name} ready`, true);
        },
        waitingForPack(name) {
            if (pack) draw(`waiting for policy pack ${name} to start`, true);
        },
        analysing(phase, count) {
            analysed += count;
            draw(`policies analysing ${phaseLabel(phase)}: ${count} resources (${analysed} so far)`, true);
        },
        step(text) {
            draw(text, true);
        },
        done() {
            if (finished) return;
            finished = true;
            if (!shown) return;
            const parts = [`${evaluated} evaluation${evaluated === 1 ? "" : "s"}`, `${resources} resources`];
            if (analysed > 0) parts.push(`${analysed} analysed by policies`);
            stream.write(`\r\x1b[Kdone in ${seconds(now() - started)}: ${parts.join(", ")}\n`);
        },
    };
}
