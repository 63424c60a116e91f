/**
 * SARIF 2.1.0 output for code-scanning annotations: one rule per policy, one result per
 * violation, located at the stack's config file (what a pull request changes) and, as a
 * logical location, the resource URN. Code scanning resolves locations against the
 * repository's root, so the file is given relative to it, wherever the project sits.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { PhaseReport, PlanReport } from "./report";

/** What the SARIF reads of a report: its stack and each phase's violations (a plan's, or a diff's new ones). */
export type SarifInput = Pick<PlanReport, "stack"> & { phases: readonly Pick<PhaseReport, "phase" | "violations">[] };

/** `file` as a URI relative to the root of the git repository holding it (else to `cwd`). */
export function repoRelativePath(file: string, cwd: string = process.cwd()): string {
    const absolute = path.resolve(cwd, file);
    let root = cwd;
    for (let dir = path.dirname(absolute); ; dir = path.dirname(dir)) {
        // A worktree or submodule has a .git file rather than a folder; both mark a root.
        if (fs.existsSync(path.join(dir, ".git"))) {
            root = dir;
            break;
        }
        if (path.dirname(dir) === dir) break;
    }
    // A SARIF location is a URI: each segment percent-encoded.
    return path.relative(root, absolute).split(path.sep).map(encodeURIComponent).join("/");
}

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
                        physicalLocation: { artifactLocation: { uri: configFile, uriBaseId: "%SRCROOT%" }, region: { startLine: 1 } },
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
