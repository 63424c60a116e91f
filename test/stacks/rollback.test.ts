/**
 * The end of the gradual rollback, on the real program: after its last stage (phase 3 at a
 * Databricks share of 0) the stack returns to phase 0, the GCP setup every fallback of the
 * plan's critical path points to. Every stateful resource stays, the GKE pools are back at the
 * phase-0 sizes, and nothing is left to run on Databricks. (Rollbacks between every pair of
 * phases, from every state a failed promotion leaves, are dataLayerFailedPromotions.test.ts.)
 */
import { beforeAll, describe, expect, it } from "vitest";
import { isStateful } from "../../domain/stateful";
import { preview } from "../../tools/engine/diff";
import { ResourceGraph } from "../../tools/model/graph";
import { databricksSchedules } from "../../tools/lifecycle/step";
import { byType, runStack } from "../harness";

describe.each(["dev", "prod"])("the gradual rollback's end on %s", (stack) => {
    let lastStage: ResourceGraph;
    let end: ResourceGraph;
    let phase0: ResourceGraph;
    beforeAll(async () => {
        lastStage = await runStack(stack, { "migration:phase": 3, "migration:workload": { databricksShare: 0 } });
        end = await runStack(stack, { "migration:phase": 0 }, [], lastStage);
        phase0 = await runStack(stack, { "migration:phase": 0 });
    }, 120_000);

    it("keeps every stateful resource, under the same URN", () => {
        const step = preview(lastStage, end);
        expect(step.blocked).toEqual([]);
        const stateful = lastStage.resources.filter((r) => isStateful(r.type));
        expect(stateful.length).toBeGreaterThan(phase0.resources.filter((r) => isStateful(r.type)).length);
        for (const r of stateful) expect(end.resources.some((e) => e.urn === r.urn), r.urn).toBe(true);
        expect(end.outputs).toMatchObject({ phase: 0, dataPhase: 3 });
    });

    it("runs the GCP setup's compute at its phase-0 sizes, and nothing on Databricks", () => {
        for (const pool of byType(phase0, "gcp:container/nodePool:NodePool")) {
            const kept = end.resources.find((r) => r.urn === pool.urn);
            expect(kept?.inputs.autoscaling, pool.urn).toEqual(pool.inputs.autoscaling);
        }
        for (const type of ["databricks:index/job:Job", "databricks:index/cluster:Cluster", "databricks:index/clusterPolicy:ClusterPolicy", "databricks:index/notebook:Notebook"]) {
            expect(byType(end, type), type).toEqual([]);
        }
        expect(databricksSchedules(end)).toEqual([]);
    });

    it("differs from stopping at phase 2, where training runs hourly on Databricks again unless the stack pauses schedules", async () => {
        const phase2 = await runStack(stack, { "migration:phase": 2 }, [], lastStage);
        expect(databricksSchedules(lastStage)).not.toContain("model_training");
        // dev deploys every schedule paused (migration:databricks.schedulesPaused); prod runs them.
        expect(databricksSchedules(phase2).includes("model_training")).toBe(stack === "prod");
    }, 60_000);
});
