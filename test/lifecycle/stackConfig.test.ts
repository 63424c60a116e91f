/**
 * What the lifecycle commands write into a stack's config is what the program accepts, and
 * reaches Pulumi with its types: `pulumi config set --path` would store a share of 0.45 as the
 * string "0.45", which the program's schema refuses, so structured values go through
 * `config set-all --json` as typed objects, in one write.
 */
import { describe, expect, it } from "vitest";
import { AutomationStack, configJson, stackDriver } from "../../tools/lifecycle/automationDriver";
import { gradualKey, workloadKey } from "../../tools/lifecycle/context";
import { configProblems, parseStack } from "../harness";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

describe("config the lifecycle commands write", () => {
    it("is written as typed JSON through set-all, in one call per step", async () => {
        const written: string[] = [];
        const stack = { setAllConfigJson: async (json: string) => void written.push(json) } as unknown as AutomationStack;
        await stackDriver(stack, "prod").setConfig({ "migration:phase": "3", [workloadKey]: { databricksShare: 0.45, gpus: 64 } });
        expect(written).toHaveLength(1);
        expect(JSON.parse(written[0])).toEqual({
            "migration:phase": { value: "3", secret: false },
            [workloadKey]: { value: '{"databricksShare":0.45,"gpus":64}', objectValue: { databricksShare: 0.45, gpus: 64 }, secret: false },
        });
        expect(configJson({ a: "b" })).toEqual({ a: { value: "b", secret: false } });
    });

    it("is accepted by the program's config schema: the share, the phase and the gradual rollback's record", async () => {
        const dir = tempDir();
        const driver = new FakeDriver("dev", { "migration:phase": 3, [workloadKey]: { databricksShare: 0.6 } });
        expect((await cli(["rollback", ...base(dir), "--gradual"], fakeDeps(driver))).code).toBe(0);
        const written = Object.fromEntries([workloadKey, gradualKey, "migration:phase"].map((key) => [key, JSON.parse(driver.config[key])]));
        expect(written[gradualKey]).toMatchObject({ status: "in-progress", startShare: 0.6, stage: 1 });
        expect(parseStack("dev", written)).toMatchObject({ phase: 3, workload: { databricksShare: 0.45 }, gradualRollback: { stage: 1 } });
        // A record the tool would never write is refused by the program too.
        expect(configProblems(() => parseStack("dev", { [gradualKey]: { ...written[gradualKey], startShare: "NaN" } })).map((p) => p.key)).toEqual([`${gradualKey}.startShare`]);
    });
});
