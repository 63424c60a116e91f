/**
 * The generated docs are what the code produces: the diagrams from the real graph of `prod`
 * at each phase, the config table from the schema. Regenerated in memory and compared with
 * the committed files; `npm run docs` fixes a failure.
 */
import { describe, expect, it } from "vitest";
import { componentGraph, criticalPath, phaseTimeline, phaseWeeks, transitiveReduction } from "../../tools/docs/architecture";
import { configurationRows } from "../../tools/docs/configuration";
import { renderDocs } from "../../tools/docs/generate";
import { fillGenerated, generatedBlock } from "../../tools/docs/markers";
import { configSchema, fieldMeta, schemaAt } from "../../domain/configSchema";
import { phases } from "../../domain/targets";
import { projectDir, runStack } from "../harness";

describe("committed generated docs", () => {
    it("match what the code produces (run `npm run docs` when this fails)", async () => {
        const docs = await renderDocs(projectDir);
        expect(docs.map((d) => d.file).sort()).toEqual(["README.md", "docs/architecture.md", "docs/configuration.md", "docs/pitfalls.md", "domain/databricks/releasedTableSchemas.json"]);
        for (const doc of docs) expect(doc.current, `${doc.file} is out of date: run npm run docs`).toBe(doc.expected);
    }, 240_000);
});

describe("markers", () => {
    it("replace only the generated sections and keep the prose", () => {
        const doc = `intro\n${generatedBlock("a", "old")}\nmiddle\n${generatedBlock("b", "old")}\nend\n`;
        const filled = fillGenerated(doc, { a: "new A", b: "new B" });
        expect(filled).toBe(`intro\n${generatedBlock("a", "new A")}\nmiddle\n${generatedBlock("b", "new B")}\nend\n`);
    });

    it("refuse a doc that lacks a section, or has one the generator does not produce", () => {
        expect(() => fillGenerated("no markers", { a: "x" }, "x.md")).toThrow(/x.md: missing generated section\(s\) a/);
        expect(() => fillGenerated(generatedBlock("z", ""), {}, "x.md")).toThrow(/section "z" is not produced/);
    });
});

describe("architecture diagrams", () => {
    it("fold custom resources into their components and keep their dependencies", async () => {
        const graph = await runStack("prod", { "migration:phase": "1" });
        const folded = componentGraph(graph);
        const ids = folded.nodes.map((n) => n.id);
        expect(ids).toContain("GkeCluster_ml_gke");
        expect(ids).toContain("Workspace_ml_workspace");
        expect(folded.nodes.every((n) => !n.type.startsWith("pulumi:"))).toBe(true);
        // Every custom resource of the program belongs to exactly one node.
        const owned = folded.nodes.reduce((sum, n) => sum + n.resources, 0);
        const custom = graph.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:") && !r.external).length;
        expect(owned).toBe(custom);
        expect(folded.edges).toContainEqual({ from: "Network_ml", to: "GkeCluster_ml_gke" });
        // The data layer is drawn as stateful.
        expect(folded.nodes.find((n) => n.id === "DeltaStorage_delta")?.stateful).toBe(true);
    }, 60_000);

    it("keep reachability when dropping implied edges", () => {
        const edges = [
            { from: "a", to: "b" },
            { from: "b", to: "c" },
            { from: "a", to: "c" },
        ];
        expect(transitiveReduction(edges)).toEqual([edges[0], edges[1]]);
    });

    it("draw the seed's critical path with a fallback from every later phase to A", () => {
        const diagram = criticalPath();
        expect(diagram).toMatch(/D -->\|Optimization\| E/);
        for (const letter of ["B", "C", "D"]) expect(diagram).toContain(`${letter} -.->|Fallback| A`);
    });

    it("lay the phases out in the seed's weeks", () => {
        expect(phases.map((p) => phaseWeeks(p.seed))).toEqual([
            { first: 0, last: 0 },
            { first: 1, last: 1 },
            { first: 2, last: 2 },
            { first: 3, last: 4 },
        ]);
        const timeline = phaseTimeline(new Map(phases.map((p) => [p.phase, { nodes: [], edges: [] }])));
        for (const p of phases) expect(timeline).toContain(`section Phase ${p.phase} ${p.name}`);
    });
});

describe("configuration table", () => {
    it("lists every leaf of the schema once, each with its accepted text", () => {
        const rows = configurationRows();
        const keys = rows.map((r) => r.key);
        expect(new Set(keys).size).toBe(keys.length);
        for (const top of Object.keys(configSchema.shape)) expect(keys.some((k) => k === top || k.startsWith(`${top}.`))).toBe(true);
        for (const row of rows) {
            expect(row.accepted, row.key).not.toBe("(no description)");
            expect(fieldMeta(schemaAt(row.key.split("."))!)?.accepted).toBe(row.accepted);
        }
    });

    it("gives the defaults of the schema and says which keys are required", () => {
        const byKey = new Map(configurationRows().map((r) => [r.key, r]));
        expect(byKey.get("phase")?.default).toBe("(required)");
        expect(byKey.get("h100.spotShare")?.default).toBe("`0.6`");
        expect(byKey.get("databricks.a100.sparkVersion")?.default).toBe('`"15.4.x-gpu-ml-scala2.12"`');
        expect(byKey.get("databricks.accountId")?.default).toBe("(required from phase 1)");
        expect(byKey.get("gcpCredentials")?.secret).toBe(true);
    });
});
