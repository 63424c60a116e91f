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
        ["policies/safety/x.ts", 'import { loadConfig } from "../../stacks/config";'],
        ["policies/safety/x.ts", "const sdk = require(`@pulumi/${pkg}`);"],
        ["domain/x.ts", 'import * as pulumi from "@pulumi/pulumi";'],
        ["domain/x.ts", 'import { packArgs } from "../policies/all";'],
        ["domain/x.ts", 'import { h100MachineTypes } from "../stacks/phases/phase0";'],
        ["domain/x.ts", 'import { GpuNodePool } from "../components/gcp/gpuNodePool";'],
        ["policies/cost/x.ts", 'import { estimatePlan } from "../../tools/cost/plan";'],
        ["policies/cost/x.ts", 'import { Network } from "../../components/gcp/network";'],
        ["components/gcp/x.ts", 'import { loadConfig } from "../../stacks/config";'],
        ["components/gcp/x.ts", 'import { GraphResource } from "../../tools/model/graph";'],
        ["stacks/x.ts", 'import { packArgs } from "../policies/all";'],
        ["stacks/phases/x.ts", 'import { planStack } from "../../tools/engine/plan";'],
        ["tools/cli/x.ts", 'import { packArgs } from "../../policies/all";'],
        ["tools/cost/x.ts", 'import { parseStackConfigKeys } from "../../stacks/config";'],
        ["tools/docs/x.ts", 'import { GpuNodePool } from "../../components/gcp/gpuNodePool";'],
        ["tools/lifecycle/x.ts", 'import { runPlanCommand } from "../cli/run";'],
        ["tools/lifecycle/x.ts", 'import { runDiff } from "../diff/cli";'],
        ["tools/report/x.ts", 'import { version } from "../cli/commandTable";'],
        ["tools/engine/x.ts", 'import { estimatePlan } from "../cost/plan";'],
        ["tools/model/x.ts", 'import * as pulumi from "@pulumi/pulumi";'],
        ["tools/model/cost/x.ts", 'import { planStack } from "../../engine/plan";'],
    ])("refuses %s: %s", async (file, text) => {
        expect(await problems(file, text)).not.toEqual([]);
    });

    it.each([
        ["policies/cost/x.ts", 'import { PolicyResource } from "@pulumi/policy";\nimport { costRules } from "../../domain/targets";'],
        ["domain/x.ts", 'import { z } from "zod";\nimport { maxPhase } from "../domain/targets";'],
        ["components/gcp/x.ts", 'import * as gcp from "@pulumi/gcp";\nimport { daysPerMonth } from "../../domain/calendar";'],
        ["policies/cost/x.ts", 'import { estimateCost } from "../../tools/model/cost/estimate";\nimport { packName } from "../../domain/packContract";'],
        ["stacks/phases/x.ts", 'import { Network } from "../../components/gcp/network";\nimport { costRules } from "../../domain/targets";'],
        ["tools/cli/x.ts", 'import { LifecycleDeps } from "../lifecycle/context";\nimport { runDiff } from "../diff/cli";'],
        ["tools/diff/x.ts", 'import { startPack } from "../pack/run";\nimport { Violation } from "../report/report";'],
        ["tools/model/cost/x.ts", 'import { labelOf } from "../labels";\nimport { costRules } from "../../../domain/targets";'],
    ])("allows %s: %s", async (file, text) => {
        expect(await problems(file, text)).toEqual([]);
    });
});
