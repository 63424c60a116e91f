/**
 * The import-boundary lint (eslint.config.mjs) refuses what it is there to refuse: each case is
 * linted as if it were a file at that path. `npm test` runs the lint over the tree itself.
 */
import * as path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { projectDir } from "../harness";

const eslint = new ESLint({ cwd: projectDir });

async function problems(file: string, text: string): Promise<string[]> {
    const [result] = await eslint.lintText(text, { filePath: path.join(projectDir, file) });
    return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe("the import-boundary lint", () => {
    it.each([
        ["policies/cost/x.ts", 'import * as gcp from "@pulumi/gcp";'],
        ["policies/lib/x.ts", 'import type { Cluster } from "@pulumi/databricks";'],
        ["policies/x.ts", 'import { Deployment } from "@pulumi/kubernetes/apps/v1";'],
        ["policies/x.ts", 'export { RandomId } from "@pulumi/random";'],
        ["policies/safety/x.ts", 'import { parseStackConfig } from "../../stacks/config";'],
        ["policies/safety/x.ts", "const sdk = require(`@pulumi/${pkg}`);"],
        ["domain/x.ts", 'import * as pulumi from "@pulumi/pulumi";'],
        ["domain/x.ts", 'import { packArgs } from "../policies/all";'],
        ["domain/x.ts", 'import { h100MachineTypes } from "../stacks/phases/phase0";'],
    ])("refuses %s: %s", async (file, text) => {
        expect(await problems(file, text)).not.toEqual([]);
    });

    it.each([
        ["policies/cost/x.ts", 'import { PolicyResource } from "@pulumi/policy";\nimport { costRules } from "../../components/targets";'],
        ["domain/x.ts", 'import { z } from "zod";\nimport { maxPhase } from "../components/targets";'],
        ["components/gcp/x.ts", 'import * as gcp from "@pulumi/gcp";\nimport { daysPerMonth } from "../../domain/calendar";'],
    ])("allows %s: %s", async (file, text) => {
        expect(await problems(file, text)).toEqual([]);
    });
});
