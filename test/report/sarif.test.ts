/**
 * The SARIF the CLI writes for code scanning: valid against the SARIF 2.1.0 schema, located
 * where a change fixes a finding (the stack file's config key, or the component's source),
 * with levels that follow enforcement and fingerprints that do not change between runs.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { configKeyLine, formatSarif, SarifInput } from "../../tools/report/formatSarif";
import { projectDir } from "../harness";

const schema = JSON.parse(fs.readFileSync(path.join(projectDir, "test/fixtures/sarif/sarif-schema-2.1.0.json"), "utf8"));
// The schema's language pattern is not a valid Unicode-mode regular expression; it is one without.
const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
// The formats the schema uses, checked as far as SARIF consumers rely on them.
ajv.addFormat("uri", /^[a-z][a-z0-9+.-]*:\S*$/i);
ajv.addFormat("uri-reference", /^\S*$/);
ajv.addFormat("date-time", (value: string) => !Number.isNaN(Date.parse(value)));
const validate = ajv.compile(schema);

const stackFile = path.join(projectDir, "Pulumi.dev.yaml");
const configText = fs.readFileSync(stackFile, "utf8");
const gkeUrn = "urn:pulumi:dev::gcp-databricks-migration::migration:gcp:GkeCluster$gcp:container/cluster:Cluster::ml-gke";

const input: SarifInput = {
    stack: "dev",
    phases: [
        {
            phase: 0,
            violations: [
                {
                    policyPack: "gcp-databricks-migration",
                    policy: "gke-gpu-autoscaling",
                    enforcementLevel: "mandatory",
                    urn: gkeUrn,
                    message: "autoscaling profile BALANCED keeps idle GPU nodes; use OPTIMIZE_UTILIZATION",
                    description: "GPU clusters scale down promptly",
                },
                {
                    policyPack: "gcp-databricks-migration",
                    policy: "spot-share",
                    enforcementLevel: "remediate",
                    urn: gkeUrn,
                    message: "migration:h100.spotShare = 1.5: expected a number from 0 to 1",
                },
                { policyPack: "gcp-databricks-migration", policy: "cost-ratio-targets", enforcementLevel: "advisory", message: "monthly cost $12,345.67 is 1.23× the baseline" },
            ],
        },
    ],
};

function sarifOf(report: SarifInput) {
    return JSON.parse(formatSarif(report, { configUri: "Pulumi.dev.yaml", configText, projectDir }, "0.1.0"));
}

describe("SARIF output", () => {
    it("validates against the SARIF 2.1.0 schema", () => {
        const sarif = sarifOf(input);
        expect(validate(sarif), JSON.stringify(validate.errors, null, 2)).toBe(true);
        expect(validate(sarifOf({ stack: "dev", phases: [] })), JSON.stringify(validate.errors)).toBe(true);
    });

    it("locates a finding at the config key it names, else at the component that declared the resource", () => {
        const [gke, spot, cost] = sarifOf(input).runs[0].results;
        const gkeSource = fs.readFileSync(path.join(projectDir, "components/gcp/gkeCluster.ts"), "utf8").split("\n");
        expect(gke.locations[0].physicalLocation.artifactLocation.uri).toBe("components/gcp/gkeCluster.ts");
        expect(gkeSource[gke.locations[0].physicalLocation.region.startLine - 1]).toContain('super("migration:gcp:GkeCluster"');
        expect(spot.locations[0].physicalLocation).toEqual({ artifactLocation: { uri: "Pulumi.dev.yaml", uriBaseId: "%SRCROOT%" }, region: { startLine: configKeyLine(configText, "migration:h100") } });
        expect(configText.split("\n")[spot.locations[0].physicalLocation.region.startLine - 1]).toBe("  migration:h100:");
        // Neither a key nor a resource: the stack file.
        expect(cost.locations[0].physicalLocation.artifactLocation.uri).toBe("Pulumi.dev.yaml");
        expect(cost.locations[0].logicalLocations).toEqual([{ fullyQualifiedName: "dev", kind: "module" }]);
    });

    it("gives levels that follow enforcement: mandatory and remediate block, advisory advises", () => {
        const { results, tool } = sarifOf(input).runs[0];
        expect(results.map((r: { level: string }) => r.level)).toEqual(["error", "error", "warning"]);
        expect(tool.driver.rules[0]).toMatchObject({ id: "gcp-databricks-migration/gke-gpu-autoscaling", defaultConfiguration: { level: "error" }, fullDescription: { text: "GPU clusters scale down promptly" } });
    });

    it("gives each finding a fingerprint that two runs agree on and figures in the message do not move", () => {
        const fingerprints = (report: SarifInput) => sarifOf(report).runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints["migrationFinding/v1"]);
        const first = fingerprints(input);
        expect(fingerprints(structuredClone(input))).toEqual(first);
        expect(new Set(first).size).toBe(3);
        const drifted = structuredClone(input);
        drifted.phases[0].violations[2].message = "monthly cost $12,999.01 is 1.31× the baseline";
        expect(fingerprints(drifted)).toEqual(first);
        const otherPhase = structuredClone(input);
        (otherPhase.phases[0] as { phase: number }).phase = 1;
        expect(fingerprints(otherPhase)[0]).not.toBe(first[0]);
    });
});
