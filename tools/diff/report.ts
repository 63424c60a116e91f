/**
 * The diff report: what `migration diff` computes, in the one shape every format renders
 * (text, markdown, SARIF) and `--format json` prints. Its fields are documented in
 * docs/diff.md; a change to this shape is a change to that page.
 */
import { CostDiff } from "./cost";
import { FindingsDiff } from "./findings";
import { ResourceChange, ResourceCounts } from "./resources";

export interface StackSide {
    /** Whether the stack file exists on this side. */
    present: boolean;
    /** The phase evaluated; null for a stack without a phase key, or not present. */
    phase: number | null;
    /** Resources the program registered (the root stack resource included). */
    resources: number;
}

export interface StackDiff {
    stack: string;
    before: StackSide;
    after: StackSide;
    counts: ResourceCounts;
    /** Flagged changes first (stateful or protected resources deleted or replaced). */
    resources: ResourceChange[];
    /** Absent for stacks the cost model does not price (no phase key). */
    cost?: CostDiff;
    /** Absent when no policy pack ran. */
    policies?: FindingsDiff;
}

export interface DiffReport {
    project: string;
    base: {
        ref: string;
        commit: string;
        /** `linked`: the working tree's node_modules; `installed`: its own, by npm ci; `none`: no project there. */
        dependencies: "linked" | "installed" | "none";
        /** `shared`: judged by the working tree's pack process (same pack sources); `own`: its own; `none`: it has no pack. */
        pack: "shared" | "own" | "none";
    };
    head: { commit: string | null; dirty: boolean };
    policyPack: string | null;
    /** `configured`: each side at the phase its stack file sets; a number: both sides at that phase. */
    phase: "configured" | number;
    stacks: StackDiff[];
    verdict: {
        /** 1 when the change adds a mandatory violation or deletes (or replaces) a stateful resource. */
        exitCode: 0 | 1;
        newMandatory: number;
        /** URNs of stateful resources the change deletes, replaces, or whose delete is refused. */
        statefulDeletions: string[];
    };
}
