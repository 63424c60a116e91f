/**
 * The pack's import closure, as the CLI's type-checking start loads it: its own code, the
 * domain modules and the read-model, never a provider SDK (about a million lines of
 * declarations to type-check at every start) and nothing of the program under stacks/.
 */
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { packageOf, packClosure } from "../../tools/pack/sources";
import { projectDir } from "../harness";

const providerSdks = ["@pulumi/gcp", "@pulumi/databricks", "@pulumi/kubernetes", "@pulumi/random"];

describe("the policy pack's import closure", () => {
    const closure = packClosure(path.join(projectDir, "policies"));
    const relative = closure.files.map((f) => path.relative(projectDir, f));

    it("reaches no provider SDK, by value or by type", () => {
        const reached = [...closure.packages].filter(([specifier]) => providerSdks.includes(packageOf(specifier)));
        expect(reached.map(([specifier, importers]) => `${specifier} ← ${importers.map((f) => path.relative(projectDir, f)).join(", ")}`)).toEqual([]);
    });

    it("reaches nothing under stacks/", () => {
        expect(relative.filter((f) => f.startsWith(`stacks${path.sep}`))).toEqual([]);
    });

    it("loads no module by a computed name (which the walk could not follow)", () => {
        expect(closure.dynamic.map((f) => path.relative(projectDir, f))).toEqual([]);
    });

    it("is walked through relative imports, type-only ones included", () => {
        expect(relative).toEqual(expect.arrayContaining(["policies/index.ts", "policies/lib/policy.ts", "domain/providerFacts.ts"]));
        expect([...closure.packages.keys()]).toContain("@pulumi/policy");
    });
});
