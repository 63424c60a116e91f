/** Reads a phase graph's Google API services and what waits for them, for the phase suites. */
import { expect } from "vitest";
import { apiServiceType, apisOf, googleApiNames } from "../../domain/gcp/googleApis";
import { programResources, ResourceGraph } from "../../tools/model/graph";
import { byType } from "../harness";

/**
 * Every API of the table is enabled by exactly one service that never disables it, the table
 * knows every GCP resource type of the graph, and every resource of a type it lists depends
 * directly on the service of each of its APIs.
 */
export function expectApisAwaited(graph: ResourceGraph): void {
    const services = byType(graph, apiServiceType);
    expect(services.map((s) => s.inputs.service).sort()).toEqual([...googleApiNames].sort());
    for (const s of services) expect(s.inputs.disableOnDestroy, s.urn).toBe(false);
    const serviceUrn = new Map(services.map((s) => [s.inputs.service as string, s.urn]));
    const custom = programResources(graph).filter((r) => r.custom && r.type !== apiServiceType);
    const gcpTypes = new Set(custom.map((r) => r.type).filter((t) => t.startsWith("gcp:")));
    expect([...gcpTypes].filter((t) => !apisOf(t)), "GCP types missing from the API table").toEqual([]);
    for (const resource of custom) {
        for (const api of apisOf(resource.type) ?? []) {
            expect(resource.dependencies, `${resource.urn} waits for ${api}`).toContain(serviceUrn.get(api));
        }
    }
}
