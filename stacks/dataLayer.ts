/**
 * Rollback must lose no data, and must stay possible after any failure. Stateful resources
 * (buckets, datasets, Unity Catalog objects, Delta tables, the workspace) are protected, so
 * `pulumi up` refuses to delete them; the program therefore keeps declaring a phase's data
 * layer once the stack holds any of it, whatever `migration:phase` says. Promoting again then
 * finds the same resources in the stack: nothing is recreated, duplicated or imported.
 *
 * "The stack holds" is read from the stack's latest snapshot, not from its last outputs. The
 * engine records a checkpoint of the snapshot after every resource operation, so what an
 * update created before it failed (a quota, a validation, a timeout, a killed CI job) is in
 * it; stack outputs are recorded only when an update completes, so after a failed promotion
 * they still name the phase before it. The program lists the snapshot through the engine's
 * builtin function `pulumi:pulumi:readStackResourceOutputs` (every resource's URN, type and
 * outputs, as `pulumi stack export` shows them) and keeps every phase's data layer of which
 * the snapshot holds a stateful resource. A rollback stays "revert the phase bump, then
 * `pulumi up`" and needs nothing else: no marker to write first, nothing a rollback lowers.
 *
 * The unit kept is a whole phase's data layer: after a promotion that failed inside its data
 * layer, a rollback completes that data layer (it creates the stateful resources still
 * missing) rather than deleting any it holds. When the failing resource is itself in the data
 * layer, the rollback meets the same error; docs/runbooks/failed-up.md gives the way out.
 *
 * If the snapshot cannot be read the program fails, naming the stack: deciding without it
 * could drop a data layer the stack holds.
 */
import * as pulumi from "@pulumi/pulumi";
import { ColumnShape, findTableDefinition, schemaChangeOnPurpose, schemaChangeProblems, tableKey } from "../domain/databricks/tableDefinitions";
import { isStateful } from "../domain/stateful";
import { maxPhase, Phase } from "../domain/targets";

/** The stack output that names the highest data layer the deployment kept (read by `migration status`). */
export const dataPhaseOutput = "dataPhase";

export const readStackResourceOutputs = "pulumi:pulumi:readStackResourceOutputs";

/**
 * Which stateful resources belong to each phase's data layer, by the component that creates
 * them (the first type of the URN's type chain) and, where one component type serves several
 * phases, its resources' names. test/stacks/dataLayerFailedPromotions.test.ts holds this table
 * to the program: every stateful resource a phase adds is matched to that phase.
 */
export const dataLayerMembers: Readonly<Record<Exclude<Phase, 0>, readonly { component: string; names?: readonly string[] }[]>> = {
    1: [
        { component: "migration:databricks:Workspace" },
        { component: "migration:databricks:DeltaStorage" },
        { component: "migration:databricks:DeltaTable", names: ["benchmark-results"] },
        // The GCP baseline's results, read in place (the external location is the stateful part).
        { component: "migration:databricks:SourceDataAccess", names: ["gcp-baseline-results-location"] },
    ],
    2: [
        { component: "migration:databricks:SourceDataAccess", names: ["migration-source-location"] },
        { component: "migration:databricks:DeltaTable", names: ["models", "cost-metrics", "training-examples", "training-features"] },
    ],
    3: [{ component: "migration:gcp:CustomMetricDescriptors" }],
};

/** A stack's snapshot as the engine lists it: each resource's type (and outputs), by URN. */
export type StackSnapshot = Record<string, { type: string; outputs?: Record<string, unknown> }>;

/** The fully qualified name of the running stack, as the engine's stack functions name it. */
export function selfStackName(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

/** `urn:pulumi:<stack>::<project>::<type chain>::<name>` → the chain's types and the name. */
function parseUrn(urn: string): { chain: string[]; name: string } | undefined {
    const parts = urn.split("::");
    if (parts.length < 4 || !parts[0].startsWith("urn:pulumi:")) return undefined;
    return { chain: parts[2].split("$"), name: parts.slice(3).join("::") };
}

/** The phase whose data layer a stateful resource belongs to, or undefined (phase 0's, or not the program's). */
export function dataLayerOf(urn: string, type: string): Exclude<Phase, 0> | undefined {
    if (!isStateful(type)) return undefined;
    const parsed = parseUrn(urn);
    if (!parsed) return undefined;
    for (const phase of [1, 2, 3] as const) {
        const member = dataLayerMembers[phase].some((m) => parsed.chain[0] === m.component && (m.names === undefined || m.names.includes(parsed.name)));
        if (member) return phase;
    }
    return undefined;
}

/** The highest phase whose data layer the snapshot holds a stateful resource of (0 when none). */
export function heldDataPhase(snapshot: StackSnapshot): Phase {
    let held: Phase = 0;
    for (const [urn, { type }] of Object.entries(snapshot)) {
        const layer = dataLayerOf(urn, type);
        if (layer !== undefined && layer > held) held = layer;
    }
    return held;
}

/** What the stack's latest snapshot holds, through the engine's builtin function. */
export async function readOwnSnapshot(): Promise<StackSnapshot> {
    const stackName = selfStackName();
    let answer: unknown;
    try {
        answer = await pulumi.runtime.invoke(readStackResourceOutputs, { stackName });
    } catch (err) {
        throw new Error(
            `cannot read what stack ${stackName} holds (${readStackResourceOutputs}: ${(err as Error).message}); ` +
                "the program needs it to keep every data layer the stack created, and changes nothing without it",
        );
    }
    const outputs = (answer as { outputs?: unknown } | undefined)?.outputs;
    if (outputs === null || typeof outputs !== "object" || Array.isArray(outputs)) {
        throw new Error(`cannot read what stack ${stackName} holds: ${readStackResourceOutputs} answered ${JSON.stringify(answer)?.slice(0, 200)}, not a map of resources by URN`);
    }
    return outputs as StackSnapshot;
}

/**
 * The highest phase whose data layer this stack keeps: the configured phase, or a higher one
 * whose stateful resources the stack holds (from a completed promotion or a failed one).
 */
export function retainedDataPhase(phase: number, snapshot: StackSnapshot): Phase {
    return Math.min(maxPhase, Math.max(phase, heldDataPhase(snapshot))) as Phase;
}

const sqlTableType = "databricks:index/sqlTable:SqlTable";

/**
 * Refuses, before anything is registered, a deployment whose table definitions would drop,
 * rename, retype or reorder a column of a Delta table the stack holds: judged against the
 * columns the snapshot records (the provider alters tables in place, see
 * `schemaChangeProblems`). The `delta-schema-evolution` policy judges the same against the
 * released schemas, offline; this judges the deployed table itself.
 */
export function checkDeployedTableSchemas(snapshot: StackSnapshot): void {
    const problems: string[] = [];
    for (const { type, outputs } of Object.values(snapshot)) {
        if (type !== sqlTableType || !outputs) continue;
        const name = outputs.name;
        const schema = outputs.schemaName;
        const columns = outputs.columns;
        if (typeof name !== "string" || !Array.isArray(columns)) continue;
        const definition = findTableDefinition(typeof schema === "string" ? schema : undefined, name);
        if (!definition) continue;
        const deployed: ColumnShape[] = columns.map((c: { name?: unknown; type?: unknown }) => ({ name: String(c.name), type: String(c.type ?? "") }));
        const dropped = (definition.droppedColumns ?? []).map((d) => d.name);
        for (const p of schemaChangeProblems(deployed, definition.columns, dropped)) problems.push(`${tableKey(definition)}.${p.column}: ${p.detail}`);
    }
    if (problems.length > 0) {
        throw new Error(`refused: the Delta tables the stack holds would lose data: ${problems.join("; ")}. Columns may only be added; ${schemaChangeOnPurpose}`);
    }
}
