/**
 * Decodes property values as the SDK puts them on the wire (a protobuf Struct turned into
 * JavaScript), into plain JSON for the graph: secrets become markers without their
 * plaintext, resource references become URNs, unknowns become a visible placeholder.
 */
import { secretMarker, secretSig, specialSigKey } from "../model/graph";

const resourceSig = "5cf8f73096256a8f31e491e813e4eb8e";
const assetSig = "c44067f5952c0a294b673a41bacd8c17";
const archiveSig = "0def7320c3a5731c473e5ecbe6d01bc7";
const outputValueSig = "d0e6a833031e9bbcd3f4e8bde6ca49a4";
/** The SDK's sentinel for a value not known until the resource exists. */
export const unknownValue = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
export const unknownPlaceholder = "[unknown]";

export function decodeWire(value: unknown): unknown {
    if (value === unknownValue) return unknownPlaceholder;
    if (Array.isArray(value)) return value.map(decodeWire);
    if (value === null || typeof value !== "object") return value;
    const record = value as Record<string, unknown>;
    switch (record[specialSigKey]) {
        case secretSig:
            return secretMarker();
        case resourceSig:
            return record.urn;
        case outputValueSig:
            if (record.secret) return secretMarker();
            return "value" in record ? decodeWire(record.value) : unknownPlaceholder;
        case assetSig:
        case archiveSig:
            return { [specialSigKey]: record[specialSigKey], ...describeAsset(record) };
        default:
            return Object.fromEntries(
                Object.entries(record)
                    .filter(([, v]) => v !== undefined)
                    .map(([k, v]) => [k, decodeWire(v)]),
            );
    }
}

function describeAsset(record: Record<string, unknown>): Record<string, unknown> {
    const { path, uri, text, assets } = record;
    if (typeof path === "string") return { path };
    if (typeof uri === "string") return { uri };
    if (typeof text === "string") return { text };
    if (assets && typeof assets === "object") return { assets: decodeWire(assets) };
    return {};
}
