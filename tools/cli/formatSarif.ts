/**
 * SARIF 2.1.0 output for code-scanning annotations: one rule per policy, one result per
 * violation, located at the stack's config file (what a pull request changes) and, as a
 * logical location, the resource URN.
 */
import { PhaseReport, PlanReport } from "./report";

/** What the SARIF reads of a report: its stack and each phase's violations (a plan's, or a diff's new ones). */
export type SarifInput = Pick<PlanReport, "stack"> & { phases: readonly Pick<PhaseReport, "phase" | "violations">[] };

export function formatSarif(report: SarifInput, configFile: string, version: string): string {
    const rules = new Map<string, { id: string; shortDescription: { text: string } }>();
    const results = report.phases.flatMap((phase) =>
        phase.violations.map((v) => {
            const ruleId = `${v.policyPack}/${v.policy}`;
            if (!rules.has(ruleId)) rules.set(ruleId, { id: ruleId, shortDescription: { text: v.policy } });
            return {
                ruleId,
                level: v.enforcementLevel === "mandatory" ? "error" : "warning",
                message: { text: `${phase.phase === null ? "" : `[phase ${phase.phase}] `}${v.message}` },
                locations: [
                    {
                        physicalLocation: { artifactLocation: { uri: configFile }, region: { startLine: 1 } },
                        logicalLocations: v.urn ? [{ fullyQualifiedName: v.urn, kind: "resource" }] : [{ fullyQualifiedName: report.stack, kind: "module" }],
                    },
                ],
                properties: { phase: phase.phase, enforcementLevel: v.enforcementLevel },
            };
        }),
    );
    const sarif = {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: "migration", version, informationUri: "https://www.pulumi.com/docs/using-pulumi/crossguard/", rules: [...rules.values()] } },
                results,
            },
        ],
    };
    return JSON.stringify(sarif, null, 2) + "\n";
}
