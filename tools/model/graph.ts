/**
 * The resource graph: what a program registers, with the options the engine sees. One model
 * shared by the offline engine, the reports, the policy runner and the tests.
 */

/** How a secret value is kept in the graph: marked, never with its plaintext. */
export const secretSig = "1b47061264138c4ac30d75fd1eb44270";
export const specialSigKey = "4dabf18193072939515e22adb298388d";
export interface SecretMarker {
    [specialSigKey]: typeof secretSig;
    ciphertext: string;
}
export const secretPlaceholder = "[secret]";

export function secretMarker(): SecretMarker {
    return { [specialSigKey]: secretSig, ciphertext: secretPlaceholder };
}

export function isSecretMarker(value: unknown): value is SecretMarker {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>)[specialSigKey] === secretSig
    );
}

export interface GraphResource {
    urn: string;
    type: string;
    name: string;
    /** True for provider-managed resources, false for components. */
    custom: boolean;
    /** Read, not managed: `Resource.get` and stack references. Never created or deleted. */
    external?: boolean;
    id?: string;
    parent?: string;
    /** Provider reference (`urn::id`) for custom resources that name one explicitly. */
    provider?: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    /** Set when the resource adopts an existing cloud object instead of creating one. */
    importId?: string;
    deletedWith?: string;
    ignoreChanges: string[];
    /** Outputs the program asked the engine to treat as secret (`additionalSecretOutputs`); absent when none. */
    additionalSecretOutputs?: string[];
    /**
     * The provider version a custom resource asks for: the version its SDK sends with the
     * registration, else the version the program has installed. It names the default provider
     * in a stack export. Absent when neither is known.
     */
    providerVersion?: string;
}

export interface ResourceGraph {
    project: string;
    stack: string;
    resources: GraphResource[];
    /** The stack's outputs, secrets masked. */
    outputs: Record<string, unknown>;
}

export const stackType = "pulumi:pulumi:Stack";

export function isProviderType(type: string): boolean {
    return type.startsWith("pulumi:providers:");
}

/** The provider package of a type token (`gcp:pubsub/topic:Topic` → `gcp`). */
export function packageOf(type: string): string {
    return type.split(":")[0];
}

/** Resources registered by the program itself (the root stack resource excluded). */
export function programResources(graph: ResourceGraph): GraphResource[] {
    return graph.resources.filter((r) => r.type !== stackType);
}

export function countByType(resources: readonly GraphResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const r of resources) counts[r.type] = (counts[r.type] ?? 0) + 1;
    return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** A stack's latest snapshot as the engine's `readStackResourceOutputs` lists it: each resource's type and outputs, by URN. */
export type StackSnapshot = Record<string, { type: string; outputs: Record<string, unknown> }>;

/** The graph as the stack's snapshot after an update that deployed it (reads excluded). */
export function snapshotOf(graph: ResourceGraph): StackSnapshot {
    return Object.fromEntries(graph.resources.filter((r) => !r.external).map((r) => [r.urn, { type: r.type, outputs: r.outputs }]));
}
