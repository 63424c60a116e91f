/**
 * Failed promotions: fault injection over every prefix of every promotion's creation order,
 * for both stacks. Each prefix is what a promotion n → n+1 that failed at that point leaves
 * in the stack (the phase-n deployment plus the resources created so far). From every such
 * state, the rollback to every lower phase must delete (or need deleted) no stateful resource
 * and keep each one under its URN, and retrying the promotion, at once or after the rollback,
 * must create none of them again.
 *
 * The program reads its snapshot through one pure decision (`retainedDataPhase`): its graph
 * for a phase depends on the snapshot only through the data phase that decision returns. So
 * each (phase, data phase) graph is evaluated once, with a real snapshot, and every prefix is
 * judged against the graph its decision selects; a run of the program on each promotion's
 * first deciding prefix checks that shortcut. The same checks run on the rule this replaced
 * (the data phase from the stack's last outputs, which a failed update never writes) and must
 * find violations: the test tells the two rules apart.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { isStateful } from "../../domain/stateful";
import { dataLayerOf, retainedDataPhase } from "../../stacks/dataLayer";
import { preview } from "../../tools/engine/diff";
import { GraphResource, ResourceGraph, snapshotOf } from "../../tools/model/graph";
import { creationOrder } from "../../tools/lifecycle/estimate";
import { runStack } from "../harness";

const phases = [0, 1, 2, 3] as const;
type Rule = (targetPhase: number, state: ResourceGraph, promotedFrom: number) => number;

/** The program's rule: what the stack's snapshot holds. */
const snapshotRule: Rule = (target, state) => retainedDataPhase(target, snapshotOf(state));
/** The rule it replaced: the last completed update's outputs, i.e. the phase before the failed promotion. */
const lastOutputsRule: Rule = (target, _state, promotedFrom) => Math.max(target, promotedFrom);

interface Finding {
    promotion: string;
    prefix: number;
    check: string;
    urns: string[];
}

const statefulUrns = (resources: readonly GraphResource[]) => resources.filter((r) => isStateful(r.type)).map((r) => r.urn);

describe.each(["dev", "prod"])("failed promotions of %s", (stack) => {
    /** The stack's graph at `phase` keeping data layers up to `dataPhase`. */
    const graphs = new Map<string, ResourceGraph>();
    const graphAt = (phase: number, dataPhase: number) => {
        const graph = graphs.get(`${phase}/${dataPhase}`);
        if (!graph) throw new Error(`no graph evaluated for phase ${phase} keeping data phase ${dataPhase}`);
        return graph;
    };

    beforeAll(async () => {
        // A stack promoted to d and nothing else: its snapshot holds phase d's data layers.
        for (const d of phases) graphs.set(`${d}/${d}`, await runStack(stack, { "migration:phase": d }));
        // Each lower phase, run against that snapshot (the program reads it and keeps d's data).
        for (const d of phases) {
            for (const k of phases.filter((p) => p < d)) {
                const graph = await runStack(stack, { "migration:phase": k }, [], graphAt(d, d));
                expect(graph.outputs.dataPhase, `phase ${k} after ${d}`).toBe(d);
                graphs.set(`${k}/${d}`, graph);
            }
        }
    }, 300_000);

    /** Every prefix state of every promotion, judged with `rule`. */
    function judge(rule: Rule) {
        const findings: Finding[] = [];
        let states = 0;
        let pairs = 0;
        let expectedPairs = 0;
        for (const n of [0, 1, 2]) {
            const before = graphAt(n, n);
            const promoted = graphAt(n + 1, n + 1);
            const step = preview(before, promoted);
            const order = creationOrder(promoted, step.create);
            const created = new Map(promoted.resources.map((r) => [r.urn, r]));
            expect(order.length, `promotion ${n} → ${n + 1}: the engine's creation order covers every create`).toBe(step.create.length);
            // Each prefix: one retry, and one rollback to every phase up to n.
            expectedPairs += (order.length + 1) * (n + 2);
            for (let i = 0; i <= order.length; i++) {
                const state: ResourceGraph = { ...before, resources: [...before.resources, ...order.slice(0, i).map((urn) => created.get(urn)!)] };
                const held = statefulUrns(state.resources);
                const found = (check: string, urns: string[]) => {
                    if (urns.length > 0) findings.push({ promotion: `${n} → ${n + 1}`, prefix: i, check, urns });
                };
                states++;
                // Retrying the promotion at once: everything held is kept under its URN.
                const retry = graphAt(n + 1, rule(n + 1, state, n));
                const retryUrns = new Set(retry.resources.map((r) => r.urn));
                found("retry drops a held stateful resource", held.filter((urn) => !retryUrns.has(urn)));
                pairs++;
                for (const k of phases.filter((p) => p <= n)) {
                    const back = graphAt(k, rule(k, state, n));
                    const rollback = preview(state, back);
                    found(`rollback to ${k} deletes stateful resources`, rollback.delete.filter((urn) => held.includes(urn)));
                    found(`rollback to ${k} is blocked on protected resources`, rollback.blocked);
                    // Promoting again after the rollback creates nothing the stack held before.
                    const again = preview(back, retry);
                    found(`promotion after rollback to ${k} creates a held stateful resource again`, again.create.filter((urn) => held.includes(urn)));
                    if (k === 0) {
                        found(
                            "rollback to 0 leaves Databricks compute",
                            back.resources.filter((r) => r.type === "databricks:index/job:Job" || r.type === "databricks:index/cluster:Cluster").map((r) => r.urn),
                        );
                    }
                    pairs++;
                }
            }
        }
        expect(pairs).toBe(expectedPairs);
        return { findings, states, pairs };
    }

    it("no prefix of any promotion makes a rollback delete, or a retry recreate, a stateful resource", () => {
        const { findings, states, pairs } = judge(snapshotRule);
        expect(findings).toEqual([]);
        console.info(`failed promotions of ${stack}: ${states} prefix states, ${pairs} (state, rollback target or retry) pairs checked`);
    });

    it("the rule from the stack's last outputs fails the same checks", () => {
        const { findings } = judge(lastOutputsRule);
        const promotions = new Set(findings.map((f) => f.promotion));
        // Each promotion adds a data layer; a failure after its first stateful resource strands it.
        expect([...promotions].sort()).toEqual(["0 → 1", "1 → 2", "2 → 3"]);
        expect(findings.some((f) => /blocked on protected/.test(f.check))).toBe(true);
    });

    it("the program decides from the prefix's snapshot as the judged graphs assume", async () => {
        for (const n of [0, 1, 2]) {
            const before = graphAt(n, n);
            const promoted = graphAt(n + 1, n + 1);
            const order = creationOrder(promoted, preview(before, promoted).create);
            const created = new Map(promoted.resources.map((r) => [r.urn, r]));
            // The shortest prefix holding a stateful resource of the new data layer.
            const i = order.findIndex((urn) => dataLayerOf(urn, created.get(urn)!.type) === n + 1) + 1;
            expect(i, `promotion ${n} → ${n + 1} creates a stateful resource of its data layer`).toBeGreaterThan(0);
            const state: ResourceGraph = { ...before, resources: [...before.resources, ...order.slice(0, i).map((urn) => created.get(urn)!)] };
            const ran = await runStack(stack, { "migration:phase": 0 }, [], state);
            expect(ran.outputs.dataPhase).toBe(n + 1);
            expect(ran.resources.map((r) => r.urn).sort()).toEqual(graphAt(0, n + 1).resources.map((r) => r.urn).sort());
            // One resource fewer and the layer is not held: the rollback has nothing of it to keep.
            expect(retainedDataPhase(0, snapshotOf({ ...state, resources: state.resources.slice(0, -1) }))).toBe(n);
        }
    }, 120_000);

    it("matches every stateful resource a phase adds to that phase's data layer", () => {
        for (const d of [1, 2, 3]) {
            const added = graphAt(d, d).resources.filter((r) => isStateful(r.type) && !graphAt(d - 1, d - 1).resources.some((o) => o.urn === r.urn));
            expect(added.length, `phase ${d} adds stateful resources`).toBeGreaterThan(0);
            for (const r of added) expect(dataLayerOf(r.urn, r.type), r.urn).toBe(d);
        }
        for (const r of graphAt(0, 0).resources) expect(dataLayerOf(r.urn, r.type), r.urn).toBeUndefined();
    });
});
