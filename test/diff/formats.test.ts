/**
 * The diff's markdown and text on hand-built reports: what a pull-request comment shows
 * first, and how it stays under GitHub's comment limit.
 */
import { describe, expect, it } from "vitest";
import { formatDiffMarkdown, githubCommentLimit } from "../../tools/diff/formatMarkdown";
import { formatDiffText } from "../../tools/diff/formatText";
import { DiffReport, StackDiff } from "../../tools/diff/report";
import { countChanges, diffResources } from "../../tools/diff/resources";
import { Violation } from "../../tools/report/report";
import { bucketType, graph, resource } from "../graphs";

// A type without replacement data: every change to it "may replace".
const topicType = "gcp:pubsub/topic:Topic";

function stack(name: string, pools: number, propsPerPool: number, unchanged: number): StackDiff {
    const inputs = (v: number) => Object.fromEntries(Array.from({ length: propsPerPool }, (_, i) => [`setting${i}`, `value-${v}-${"x".repeat(30)}`]));
    const before = graph(...Array.from({ length: pools }, (_, i) => resource(topicType, `topic-${i}`, inputs(1))), resource(bucketType, "lake", { name: "lake" }, { protect: true }));
    const after = graph(...Array.from({ length: pools }, (_, i) => resource(topicType, `topic-${i}`, inputs(2))));
    const resources = diffResources(before, after);
    const finding = (i: number): Violation => ({ policyPack: "p", policy: "rule", enforcementLevel: "advisory", urn: `urn:x::r${i}`, message: `finding ${i} ${"y".repeat(60)}` });
    return {
        stack: name,
        before: { present: true, phase: 1, resources: before.resources.length },
        after: { present: true, phase: 2, resources: after.resources.length },
        counts: countChanges(resources),
        resources,
        policies: { new: [], fixed: [], unchanged: Array.from({ length: unchanged }, (_, i) => finding(i)) },
    };
}

function report(...stacks: StackDiff[]): DiffReport {
    return {
        project: "proj",
        base: { ref: "origin/main", commit: "a".repeat(40), dependencies: "linked", pack: "shared" },
        head: { commit: "b".repeat(40), dirty: false },
        policyPack: "policies",
        phase: "configured",
        stacks,
        verdict: { exitCode: 0, newMandatory: 0, statefulDeletions: [] },
    };
}

describe("markdown for a pull-request comment", () => {
    it("puts the summary table and the resources at risk before any folded detail", () => {
        const md = formatDiffMarkdown(report(stack("dev", 2, 2, 1)));
        const lines = md.split("\n");
        const table = lines.findIndex((l) => l.startsWith("| Stack |"));
        const risk = lines.findIndex((l) => l.includes("Stateful or protected resources at risk"));
        const firstDetails = lines.findIndex((l) => l.startsWith("<details>"));
        expect(table).toBeGreaterThan(0);
        expect(risk).toBeGreaterThan(table);
        expect(firstDetails).toBeGreaterThan(risk);
        expect(lines[table + 2]).toMatch(/^\| dev \| 1 → 2 \| 0 \| 0 \| 0 \/ 2 \| 1 \| ⚠️ 1 \|/);
        expect(md).toContain("- `dev` `gcp:storage:Bucket` `lake`: stateful resource removed from the program: `pulumi up` refuses to delete it (protected)");
        expect(md).not.toContain("Trimmed");
    });

    it("stays under the limit when the diff is huge, keeping the summary and saying what it left out", () => {
        const big = report(stack("dev", 400, 12, 300), stack("prod", 400, 12, 300));
        expect(formatDiffMarkdown(big, { maxChars: Number.MAX_SAFE_INTEGER }).length).toBeGreaterThan(githubCommentLimit);
        const md = formatDiffMarkdown(big);
        expect(md.length).toBeLessThanOrEqual(githubCommentLimit - 1024);
        expect(md).toMatch(/^## What this change does/);
        expect(md).toContain("| prod | 1 → 2 |");
        expect(md).toContain("Stateful or protected resources at risk");
        expect(md).toMatch(/✂️ Trimmed to stay under 64,512 characters \(GitHub's comment limit is 65,536\): .*600 unchanged finding\(s\)/);
        expect(md.match(/<details>/g)!.length).toBe(md.match(/<\/details>/g)!.length);
    });

    it("trims as little as it can: property paths go before resource rows", () => {
        const md = formatDiffMarkdown(report(stack("dev", 60, 20, 0)), { maxChars: 30_000 });
        expect(md.length).toBeLessThanOrEqual(30_000);
        expect(md).toMatch(/Trimmed .*: \d+ property path\(s\) not shown/);
        expect(md).not.toMatch(/resource change\(s\) not shown/);
        expect((md.match(/^\| ~\? \|/gm) ?? []).length).toBe(60);
    });
});

describe("text", () => {
    it("lists the resources at risk first, then each change with its property paths", () => {
        const text = formatDiffText(report(stack("dev", 1, 1, 0)));
        expect(text).toContain("Stack dev · phase 1 → 2 · + 0 to create, ~ 1 to update (0 replace, 1 may replace), - 1 to remove");
        const risk = text.indexOf("At risk:\n  ! gcp:storage:Bucket lake");
        const pool = text.indexOf(" ~? gcp:pubsub:Topic  topic-0  update, may replace");
        expect(risk).toBeGreaterThan(0);
        expect(pool).toBeGreaterThan(risk);
        expect(text).toMatch(/~ setting0: "value-1-x+" → "value-2-x+"/);
    });
});
