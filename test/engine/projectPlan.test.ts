/**
 * This project's own plan, compared with a stored report: the text report of every phase of
 * prod (previews, rollback, cost) and one fingerprint per resource of each phase's deployment
 * (inputs, outputs, options, dependencies). The engine's semantics may change (preview
 * semantics, new answers) only if this report stays as it is; a change to the program itself
 * updates it on purpose with `npx vitest run test/engine/projectPlan.test.ts -u`, and the diff
 * shows which resources changed.
 */
import { createHash } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { maxPhase } from "../../domain/targets";
import { baselinePhase, estimatePlan } from "../../tools/cost/plan";
import { formatText } from "../../tools/report/formatText";
import { buildReport, PlanContext } from "../../tools/report/report";
import { planStack } from "../../tools/engine/plan";
import { projectDir } from "../harness";

function fingerprint(value: unknown): string {
    return createHash("sha256").update(JSON.stringify(value)).digest("hex").slice(0, 16);
}

describe("this project's plan of prod, every phase", () => {
    let context: PlanContext;
    beforeAll(async () => {
        const plan = await planStack({
            projectDir,
            stack: "prod",
            phases: Array.from({ length: maxPhase + 1 }, (_, i) => i),
            phaseKey: "migration:phase",
            baselinePhase,
        });
        context = buildReport(plan, null, new Map(), estimatePlan(plan, projectDir), new Date(0));
    }, 300_000);

    it("renders the stored text report", async () => {
        await expect(formatText(context)).toMatchFileSnapshot("./__snapshots__/prod-plan.txt");
    });

    it("keeps every resource of every phase as stored", async () => {
        const lines = context.report.phases.flatMap((phase) => [
            `phase ${phase.phase}: ${phase.deployment.resources.length} resources in the deployment`,
            ...phase.deployment.resources.map((r) => `  ${fingerprint(r)}  ${r.urn}`),
        ]);
        await expect(lines.join("\n") + "\n").toMatchFileSnapshot("./__snapshots__/prod-plan-resources.txt");
    });
});
