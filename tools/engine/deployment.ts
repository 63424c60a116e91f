/**
 * The graph as a Pulumi stack export (`pulumi stack export`, deployment version 3), so the
 * real CLI's tooling reads it. Custom resources that use a default provider get the default
 * provider resource the engine would have created, named by the provider version the program
 * itself asks for (`default_<version>`, tools/model/graph.ts `providerVersion`), and secrets
 * are written in the export's plaintext form holding only the placeholder.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { GraphResource, isProviderType, isSecretMarker, packageOf, ResourceGraph, secretMarker, secretPlaceholder, secretSig, specialSigKey } from "../model/graph";

export interface DeploymentResource {
    urn: string;
    custom: boolean;
    external?: boolean;
    id?: string;
    type: string;
    inputs: Record<string, unknown>;
    outputs: Record<string, unknown>;
    parent?: string;
    provider?: string;
    protect: boolean;
    retainOnDelete: boolean;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    importID?: string;
    deletedWith?: string;
    ignoreChanges?: string[];
}

export interface Deployment {
    manifest: { time: string; magic: string; version: string };
    resources: DeploymentResource[];
}

export interface StackExport {
    version: 3;
    deployment: Deployment;
}

const defaultProviderId = "00000000-0000-0000-0000-000000000000";

function sdkVersion(pkg: string): string | undefined {
    try {
        const file = require.resolve(`@pulumi/${pkg}/package.json`);
        return (JSON.parse(fs.readFileSync(file, "utf8")) as { version: string }).version;
    } catch {
        return undefined;
    }
}

function exportSecrets(value: unknown): unknown {
    if (isSecretMarker(value)) return { [specialSigKey]: secretSig, plaintext: JSON.stringify(secretPlaceholder) };
    if (Array.isArray(value)) return value.map(exportSecrets);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exportSecrets(v)]));
    }
    return value;
}

function importSecrets(value: unknown): unknown {
    if (isSecretMarker(value)) return secretMarker();
    if (Array.isArray(value)) return value.map(importSecrets);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, importSecrets(v)]));
    }
    return value;
}

/**
 * The engine's name for the default provider of a version: `default_<major>_<minor>_<patch>`,
 * then each pre-release and build part after an underscore; `default` when no version is known.
 */
export function defaultProviderName(version: string | undefined): string {
    const parsed = version ? /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+([0-9A-Za-z.-]+))?$/.exec(version) : null;
    if (!parsed) return "default";
    const [, major, minor, patch, pre, build] = parsed;
    const parts = [major, minor, patch, ...(pre ? pre.split(".") : []), ...(build ? build.split(".") : [])];
    return `default_${parts.join("_")}`;
}

function stackUrn(graph: ResourceGraph, type: string, name: string): string {
    return `urn:pulumi:${graph.stack}::${graph.project}::${type}::${name}`;
}

export function toDeployment(graph: ResourceGraph, now: Date = new Date()): Deployment {
    const engineVersion = `v${sdkVersion("pulumi") ?? "3.0.0"}`;
    const defaults = new Map<string, DeploymentResource>();

    const defaultProviderFor = (resource: GraphResource): string | undefined => {
        const pkg = packageOf(resource.type);
        if (!resource.custom || isProviderType(resource.type) || pkg === "pulumi") return undefined;
        const version = resource.providerVersion;
        const type = `pulumi:providers:${pkg}`;
        const urn = stackUrn(graph, type, defaultProviderName(version));
        if (!defaults.has(urn)) {
            const properties = version ? { version } : {};
            defaults.set(urn, {
                urn,
                custom: true,
                id: defaultProviderId,
                type,
                inputs: properties,
                outputs: properties,
                protect: false,
                retainOnDelete: false,
                dependencies: [],
                propertyDependencies: {},
            });
        }
        return `${urn}::${defaultProviderId}`;
    };

    const resources = graph.resources.map((r): DeploymentResource => {
        const provider = r.provider ?? defaultProviderFor(r);
        return {
            urn: r.urn,
            custom: r.custom,
            ...(r.external ? { external: true } : {}),
            ...(r.id ? { id: r.id } : {}),
            type: r.type,
            inputs: exportSecrets(r.inputs) as Record<string, unknown>,
            outputs: exportSecrets(r.outputs) as Record<string, unknown>,
            ...(r.parent ? { parent: r.parent } : {}),
            ...(provider ? { provider } : {}),
            protect: r.protect,
            retainOnDelete: r.retainOnDelete,
            dependencies: r.dependencies,
            propertyDependencies: r.propertyDependencies,
            ...(r.importId ? { importID: r.importId } : {}),
            ...(r.deletedWith ? { deletedWith: r.deletedWith } : {}),
            ...(r.ignoreChanges.length > 0 ? { ignoreChanges: r.ignoreChanges } : {}),
        };
    });
    // Providers come before the resources that use them, as in a real checkpoint.
    const [first, ...rest] = resources;
    const ordered = first ? [first, ...defaults.values(), ...rest] : [...defaults.values()];
    return {
        manifest: {
            time: now.toISOString(),
            magic: createHash("sha256").update(engineVersion).digest("hex"),
            version: engineVersion,
        },
        resources: ordered,
    };
}

export function toStackExport(graph: ResourceGraph, now?: Date): StackExport {
    return { version: 3, deployment: toDeployment(graph, now) };
}

/** Reads a stack export back into the graph model (the inverse of `toStackExport`). */
export function fromStackExport(doc: StackExport, project: string, stack: string): ResourceGraph {
    if (doc.version !== 3 || !Array.isArray(doc.deployment?.resources)) {
        throw new Error(`not a deployment version 3 stack export (version: ${JSON.stringify(doc.version)})`);
    }
    const resources = doc.deployment.resources.map(
        (r): GraphResource => ({
            urn: r.urn,
            type: r.type,
            name: r.urn.split("::").pop() ?? "",
            custom: r.custom,
            ...(r.external ? { external: true } : {}),
            ...(r.id ? { id: r.id } : {}),
            ...(r.parent ? { parent: r.parent } : {}),
            ...(r.provider ? { provider: r.provider } : {}),
            inputs: importSecrets(r.inputs ?? {}) as Record<string, unknown>,
            outputs: importSecrets(r.outputs ?? {}) as Record<string, unknown>,
            protect: r.protect ?? false,
            retainOnDelete: r.retainOnDelete ?? false,
            dependencies: r.dependencies ?? [],
            propertyDependencies: r.propertyDependencies ?? {},
            ...(r.importID ? { importId: r.importID } : {}),
            ...(r.deletedWith ? { deletedWith: r.deletedWith } : {}),
            ignoreChanges: r.ignoreChanges ?? [],
        }),
    );
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    return { project, stack, resources, outputs: root?.outputs ?? {} };
}
