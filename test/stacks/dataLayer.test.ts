import { describe, expect, it } from "vitest";
import { runStack } from "../harness";

describe("the data layer a stack keeps", () => {
    it("is the configured phase on a new stack", async () => {
        const graph = await runStack("dev");
        expect(graph.outputs.dataPhase).toBe(0);
        const self = graph.resources.find((r) => r.type === "pulumi:pulumi:StackReference");
        expect(self?.inputs.name).toBe("organization/gcp-databricks-migration/dev");
    });

    it("stays at the highest phase an earlier deployment reached", async () => {
        expect((await runStack("dev", {}, [], { dataPhase: 2 })).outputs.dataPhase).toBe(2);
    });

    it("ignores a previous value that is not a phase", async () => {
        expect((await runStack("dev", {}, [], { dataPhase: "2" })).outputs.dataPhase).toBe(0);
        expect((await runStack("dev", {}, [], { dataPhase: 9 })).outputs.dataPhase).toBe(0);
    });
});
