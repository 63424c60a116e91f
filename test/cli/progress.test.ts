/** Progress on standard error: shown on a terminal, silent otherwise or with --quiet. */
import { describe, expect, it } from "vitest";
import { createProgress, ProgressStream } from "../../tools/cli/progress";

function stream(isTTY: boolean): ProgressStream & { text: string } {
    const s = { isTTY, columns: 100, text: "", write: (t: string) => ((s.text += t), true) };
    return s;
}

function drive(target: ProgressStream, quiet = false) {
    let now = 0;
    const progress = createProgress({ stream: target, quiet, now: () => now, minIntervalMs: 0 });
    progress.packStarting("policies");
    progress.evaluation({ phase: 2, purpose: "phase", state: "started", registered: 0 });
    now = 1500;
    progress.evaluation({ phase: 2, purpose: "phase", state: "registering", registered: 40 });
    progress.evaluation({ phase: 2, purpose: "phase", state: "done", registered: 120 });
    progress.evaluation({ phase: 1, purpose: "rollback", state: "started", registered: 0 });
    progress.evaluation({ phase: 1, purpose: "rollback", state: "done", registered: 100 });
    progress.packReady("gcp-databricks-migration");
    now = 4000;
    progress.analysing(2, 120);
    now = 4200;
    progress.done();
    progress.done();
}

describe("progress", () => {
    it("on a terminal: the phase evaluated, the pack starting, resources analysed, elapsed time; then one summary line", () => {
        const tty = stream(true);
        drive(tty);
        const frames = tty.text.split("\r\x1b[K").filter(Boolean);
        expect(frames[0]).toBe("policy pack policies starting · 0.0 s");
        expect(frames).toContain("evaluating phase 2 · 0 done · 40 resources · pack policies starting · 1.5 s");
        expect(frames).toContain("evaluating rollback preview to phase 1 · 1 done · 120 resources · pack policies starting · 1.5 s");
        expect(frames).toContain("policy pack gcp-databricks-migration ready · 1.5 s");
        expect(frames).toContain("policies analysing phase 2: 120 resources (120 so far) · 4.0 s");
        expect(frames[frames.length - 1]).toBe("done in 4.2 s: 2 evaluations, 220 resources, 120 analysed by policies\n");
        expect(tty.text.match(/done in/g)).toHaveLength(1);
    });

    it("writes nothing when standard error is not a terminal, or with --quiet", () => {
        const pipe = stream(false);
        drive(pipe);
        expect(pipe.text).toBe("");
        const quiet = stream(true);
        drive(quiet, true);
        expect(quiet.text).toBe("");
    });

    it("keeps the status line within the terminal's width", () => {
        const narrow = { ...stream(true), columns: 30 };
        let text = "";
        narrow.write = (t: string) => ((text += t), true);
        createProgress({ stream: narrow, now: () => 0 }).step("evaluating phase 3 of a very large stack with many resources");
        expect(text.replace("\r\x1b[K", "").length).toBeLessThanOrEqual(29);
    });
});
