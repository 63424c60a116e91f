/**
 * Rollback loses no data: over every pair of phases of both stacks, lowering the phase deletes
 * no stateful resource (and needs no protected one deleted), and promoting again recreates or
 * duplicates nothing that was kept.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { isStateful } from "../../components/stateful";
import { preview } from "../../tools/engine/diff";
import { ResourceGraph } from "../../tools/engine/graph";
import { runStack } from "../harness";

const implemented = [0, 1, 2, 3];

describe.each(["dev", "prod"])("rollback of %s", (stack) => {
    const forward = new Map<number, ResourceGraph>();
    beforeAll(async () => {
        for (const phase of implemented) forward.set(phase, await runStack(stack, { "migration:phase": phase }));
    });

    const pairs = implemented.flatMap((from) => implemented.filter((to) => to < from).map((to) => [from, to] as const));

    it.each(pairs)("from phase %i to %i keeps every stateful resource", async (from, to) => {
        const before = forward.get(from)!;
        const after = await runStack(stack, { "migration:phase": to }, [], before);
        const step = preview(before, after);
        const stateful = before.resources.filter((r) => isStateful(r.type));
        expect(stateful.length).toBeGreaterThan(0);
        expect(step.blocked).toEqual([]);
        for (const r of stateful) {
            expect(step.delete, r.urn).not.toContain(r.urn);
            expect(step.update, r.urn).not.toContain(r.urn);
            expect(after.resources.some((a) => a.urn === r.urn), r.urn).toBe(true);
        }
        expect(after.outputs.dataPhase).toBe(from);
        // Without the stack's memory of its data layer, the same step would have to delete
        // protected resources, which pulumi up refuses: the mechanism is what makes it safe.
        const forgetful = preview(before, forward.get(to)!);
        expect(forgetful.blocked.length).toBeGreaterThan(0);
        // The compute of the phases left behind goes: a rollback is a real return to GCP.
        if (to === 0) expect(after.resources.some((r) => r.type === "databricks:index/job:Job")).toBe(false);

        const again = await runStack(stack, { "migration:phase": from }, [], after);
        const promote = preview(after, again);
        expect(promote.create.filter((urn) => stateful.some((r) => r.urn === urn))).toEqual([]);
        expect(promote.update.filter((urn) => stateful.some((r) => r.urn === urn))).toEqual([]);
        expect(preview(before, again)).toMatchObject({ create: [], update: [], delete: [], retain: [], blocked: [] });
    });
});
