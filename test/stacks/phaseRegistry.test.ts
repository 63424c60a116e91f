/**
 * The phase registry's runner (stacks/phases/runner.ts), on a registry of plain values, and the
 * program's registry against the plan's list of phases.
 */
import { describe, expect, it } from "vitest";
import { phases } from "../../domain/targets";
import { phaseRegistry } from "../../stacks/phases/registry";
import { checkRegistry, partBuilder, PhaseEntry, PhaseRegistryError, runPhases } from "../../stacks/phases/runner";

interface Parts {
    base: { id: string };
    data1: { table: string };
    compute1: { job: string; table: string };
    data2: { volume: string };
    compute2: { uses: string[] };
}
type Ctx = { calls: string[] };
const part = partBuilder<Parts, Ctx>();

const registry: PhaseEntry<Parts, Ctx>[] = [
    { phase: 0, data: part({ name: "base", needs: [], deploy: (ctx) => (ctx.calls.push("base"), { id: "b" }), outputs: (b) => ({ base: b.id }) }) },
    {
        phase: 1,
        data: part({ name: "data1", needs: ["base"], deploy: (ctx, { base }) => (ctx.calls.push("data1"), { table: `${base.id}.t` }) }),
        compute: part({
            name: "compute1",
            needs: ["data1"],
            deploy: (ctx, { data1 }) => (ctx.calls.push("compute1"), { job: "j", table: data1.table }),
            outputs: (c) => ({ job: c.job }),
        }),
    },
    {
        phase: 2,
        data: part({ name: "data2", needs: [], deploy: (ctx) => (ctx.calls.push("data2"), { volume: "v" }) }),
        compute: part({
            name: "compute2",
            needs: ["base", "data1", "compute1", "data2"],
            deploy: (ctx, parts) => (ctx.calls.push("compute2"), { uses: [parts.base.id, parts.data1.table, parts.compute1.job, parts.data2.volume] }),
        }),
    },
];

const run = (dataPhase: number, phase: number) => {
    const ctx: Ctx = { calls: [] };
    return { ...runPhases(registry, ctx, { dataPhase, phase }), calls: ctx.calls };
};

describe("the phase runner", () => {
    it("passes the parts deployed before a phase to it by name, in the registry's order", () => {
        const result = run(2, 2);
        expect(result.calls).toEqual(["base", "data1", "compute1", "data2", "compute2"]);
        expect(result.deployed.compute1).toEqual({ job: "j", table: "b.t" });
        expect(result.deployed.compute2).toEqual({ uses: ["b", "b.t", "j", "v"] });
        expect(result.outputs).toEqual({ base: "b", job: "j" });
    });

    it("keeps a data layer the stack holds and removes the compute above the configured phase", () => {
        const result = run(2, 0);
        expect(result.calls).toEqual(["base", "data1", "data2"]);
        expect(result.outputs).toEqual({ base: "b" });
    });

    it("does not deploy compute without the data it is built from", () => {
        expect(run(0, 1).calls).toEqual(["base"]);
        const result = run(1, 2);
        expect(result.calls).toEqual(["base", "data1", "compute1"]);
        expect(result.deployed.compute2).toBeUndefined();
    });

    it("refuses a part that needs one registered after it, or phases out of order", () => {
        expect(() => checkRegistry<Parts, Ctx>([registry[1], registry[0]])).toThrow(PhaseRegistryError);
        expect(() => checkRegistry<Parts, Ctx>([registry[0], { phase: 2, data: registry[2].data }, registry[1]])).toThrow(/phase 1 follows phase 2/);
        expect(() => checkRegistry<Parts, Ctx>([registry[0], { phase: 2, compute: registry[2].compute }])).toThrow(/compute2 needs data1, compute1, data2/);
    });
});

describe("the program's registry", () => {
    it("deploys exactly the plan's phases, in order, each part needing only earlier ones", () => {
        expect(phaseRegistry.map((entry) => entry.phase)).toEqual(phases.map((p) => p.phase));
        expect(() => checkRegistry(phaseRegistry)).not.toThrow();
    });
});
