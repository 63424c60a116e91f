/**
 * The static provider facts (domain/providerFacts.ts) are what the installed SDKs say: the label
 * input of every resource type of every provider package the program uses, and the inputs each
 * provider SDK wraps as secrets. This test loads the SDKs; the pack, which reads the table, does not.
 */
import * as fs from "node:fs";
import { describe, expect, it } from "vitest";
import { labelProperty } from "../../domain/labels";
import { providerFactsFile, providerPackages, renderProviderFacts, sdkLabelProperty, sdkTypes } from "../../tools/docs/sdkTables";

describe("domain/providerFacts.ts", () => {
    it("matches the installed provider SDKs (run `npm run sdk-tables` when this fails)", () => {
        expect(fs.readFileSync(providerFactsFile, "utf8")).toBe(renderProviderFacts());
    }, 60_000);

    it("gives every resource type of the SDKs the label input its constructor sends", () => {
        const wrong: string[] = [];
        for (const pkg of providerPackages) {
            for (const type of sdkTypes(pkg)) {
                if (labelProperty(type) !== sdkLabelProperty(type)) wrong.push(`${type}: table ${labelProperty(type)}, SDK ${sdkLabelProperty(type)}`);
            }
        }
        expect(wrong).toEqual([]);
    }, 60_000);
});
