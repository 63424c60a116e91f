import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { secretMarker } from "../../tools/model/graph";
import { unknownPlaceholder, unknownValue } from "../../tools/engine/wire";
import { childPath, computedDisplay, displayValue, formatValue, propertyChanges, schemaPath } from "../../tools/diff/properties";

describe("propertyChanges", () => {
    it("names every differing leaf by its Pulumi property path, old → new", () => {
        const before = { autoscaling: { minNodeCount: 1, maxNodeCount: 4 }, nodeLocations: ["a", "b"], labels: { "team-name": "ml" } };
        const after = { autoscaling: { minNodeCount: 1, maxNodeCount: 8 }, nodeLocations: ["a"], labels: { "team-name": "ml-platform", env: "prod" } };
        expect(propertyChanges(before, after)).toEqual([
            { path: "autoscaling.maxNodeCount", kind: "update", old: 4, new: 8 },
            { path: "labels.env", kind: "add", new: "prod" },
            { path: 'labels["team-name"]', kind: "update", old: "ml", new: "ml-platform" },
            { path: "nodeLocations[1]", kind: "delete", old: "b" },
        ]);
    });

    it("reports nothing for equal inputs", () => {
        fc.assert(
            fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (inputs) => {
                expect(propertyChanges(inputs, structuredClone(inputs))).toEqual([]);
            }),
        );
    });

    it("masks both sides when either is secret, and never shows the plaintext", () => {
        const changes = propertyChanges({ token: "plain-old-value", nested: { a: 1 } }, { token: secretMarker(), nested: { a: secretMarker() } });
        expect(changes).toEqual([
            { path: "nested.a", kind: "update", old: "[secret]", new: "[secret]" },
            { path: "token", kind: "update", old: "[secret]", new: "[secret]" },
        ]);
        expect(JSON.stringify(changes)).not.toContain("plain-old-value");
        expect(propertyChanges({}, { token: secretMarker() })).toEqual([{ path: "token", kind: "add", new: "[secret]" }]);
    });

    it("shows values unknown until deployment as computed, whichever way the engine marks them", () => {
        for (const unknown of [unknownValue, unknownPlaceholder]) {
            expect(propertyChanges({ network: "vpc-1" }, { network: unknown })).toEqual([
                { path: "network", kind: "update", old: "vpc-1", new: computedDisplay, computed: true },
            ]);
        }
    });

    it("shortens long strings to a prefix, their length and a digest, so two versions still differ", () => {
        const a = "x".repeat(5000);
        const b = `${"x".repeat(4999)}y`;
        const [change] = propertyChanges({ contentBase64: a }, { contentBase64: b });
        expect(String(change.old)).toMatch(/^x{40}… \(5,000 chars, sha256 [0-9a-f]{12}\)$/);
        expect(change.old).not.toEqual(change.new);
        expect(formatValue(displayValue({ big: "z".repeat(1000) })).length).toBeLessThanOrEqual(120);
    });
});

describe("paths", () => {
    it("quotes keys that are not identifiers and indexes arrays", () => {
        expect(childPath("", "a")).toBe("a");
        expect(childPath("a", 2)).toBe("a[2]");
        expect(childPath("a", "b.c")).toBe('a["b.c"]');
    });

    it("drops indices for schema lookups, [*] included", () => {
        expect(schemaPath('nodeConfig.guestAccelerators[0].count')).toBe("nodeConfig.guestAccelerators.count");
        expect(schemaPath('labels["team-name"]')).toBe("labels.team-name");
        expect(schemaPath("tasks[*].notebookTask")).toBe("tasks.notebookTask");
    });
});
