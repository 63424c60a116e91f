/**
 * `npm run docs`: regenerates the generated sections of docs/architecture.md and
 * docs/configuration.md (and the README's summary diagram) from the real resource graph of
 * the `prod` stack at every phase and from the config schema, and adds the table definitions'
 * new columns to the released Delta schemas the `delta-schema-evolution` policy judges by. `--check` writes nothing and
 * exits 1 when a committed doc differs from what the code produces.
 *
 * Only the text between generated markers is replaced; the prose around it is hand-written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { releaseSchemas, ReleasedSchemas } from "../../domain/databricks/tableDefinitions";
import { phases } from "../../domain/targets";
import { planStack } from "../engine/plan";
import { programResources, ResourceGraph } from "../model/graph";
import { componentDiagram, componentGraph, ComponentGraph, criticalPath, mermaid, phaseSummary, phaseTimeline } from "./architecture";
import { configurationTable } from "./configuration";
import { googleApiTable } from "./googleApis";
import { fillGenerated } from "./markers";
import { writeAtomically } from "../report/output";

/** The stack the architecture diagrams are drawn from: the plan's full scale. */
export const diagramStack = "prod";

export interface GeneratedDoc {
    /** Relative to the project directory. */
    file: string;
    sections: Record<string, string>;
}

export async function phaseGraphs(projectDir: string, stack = diagramStack): Promise<Map<number, ResourceGraph>> {
    const plan = await planStack({
        projectDir,
        stack,
        phases: phases.map((p) => p.phase),
        phaseKey: "migration:phase",
        previews: false,
    });
    return new Map(plan.phases.map((p) => [p.phase!, p.graph]));
}

export function architectureSections(graphs: ReadonlyMap<number, ResourceGraph>): Record<string, string> {
    const components = new Map<number, ComponentGraph>([...graphs].map(([phase, graph]) => [phase, componentGraph(graph)]));
    const counts = new Map([...graphs].map(([phase, graph]) => [phase, programResources(graph).length]));
    const sections: Record<string, string> = {
        "phase-timeline": mermaid(phaseTimeline(components)),
        "critical-path": mermaid(criticalPath()),
        "phase-summary": phaseSummary(components, counts),
    };
    for (const p of phases) {
        const graph = components.get(p.phase);
        if (!graph) continue;
        sections[`phase-${p.phase}-components`] = mermaid(componentDiagram(graph, components.get(p.phase - 1)));
    }
    return sections;
}

export async function generatedDocs(projectDir: string): Promise<GeneratedDoc[]> {
    const graphs = await phaseGraphs(projectDir);
    const architecture = architectureSections(graphs);
    return [
        { file: "docs/architecture.md", sections: architecture },
        { file: "docs/configuration.md", sections: { "config-keys": configurationTable() } },
        { file: "docs/pitfalls.md", sections: { "google-apis": googleApiTable() } },
        { file: "README.md", sections: { "critical-path": architecture["critical-path"], "phase-summary": architecture["phase-summary"] } },
    ];
}

/** The Delta columns released so far: the committed file with the definitions' new columns added (never removed). */
export const releasedSchemasFile = "domain/databricks/releasedTableSchemas.json";

function renderReleasedSchemas(projectDir: string): { file: string; current: string; expected: string } {
    const current = fs.readFileSync(path.join(projectDir, releasedSchemasFile), "utf8");
    return { file: releasedSchemasFile, current, expected: JSON.stringify(releaseSchemas(JSON.parse(current) as ReleasedSchemas), null, 2) + "\n" };
}

/** Each doc as the generator would write it, next to what is committed. */
export async function renderDocs(projectDir: string): Promise<{ file: string; current: string; expected: string }[]> {
    const docs = (await generatedDocs(projectDir)).map(({ file, sections }) => {
        const current = fs.readFileSync(path.join(projectDir, file), "utf8");
        return { file, current, expected: fillGenerated(current, sections, file) };
    });
    return [...docs, renderReleasedSchemas(projectDir)];
}

async function main(argv: readonly string[]): Promise<number> {
    const check = argv.includes("--check");
    const projectDir = path.resolve(__dirname, "..", "..");
    const docs = await renderDocs(projectDir);
    const stale = docs.filter((d) => d.current !== d.expected);
    if (check) {
        for (const d of stale) process.stderr.write(`${d.file} is out of date: run \`npm run docs\` and commit the result\n`);
        return stale.length > 0 ? 1 : 0;
    }
    for (const d of stale) {
        writeAtomically(path.join(projectDir, d.file), d.expected);
        process.stdout.write(`updated ${d.file}\n`);
    }
    if (stale.length === 0) process.stdout.write("docs are up to date\n");
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (err: Error) => {
            process.stderr.write(`docs: ${err.message}\n`);
            process.exit(2);
        },
    );
}
