/**
 * The analyzer client against small packs written here: what a pack receives over the wire
 * (properties, secrets, unknowns, options, provider, stack tags, config, parents and
 * dependencies), and clear errors for a missing, crashing or hanging pack.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyPackError, PolicyPackHandle, resolvePolicyConfig, startPolicyPack } from "../../tools/pack/analyzer";
import { ResourceGraph, secretMarker } from "../../tools/model/graph";
import { graph, resource, urnOf } from "../graphs";
import { unknownPlaceholder } from "../../tools/engine/wire";

const projectRoot = path.resolve(__dirname, "../..");
let workDir: string;

function writePack(name: string, indexJs: string): string {
    const dir = path.join(workDir, name);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "PulumiPolicy.yaml"), "runtime: nodejs\n");
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, version: "1.2.3" }));
    fs.writeFileSync(path.join(dir, "index.js"), indexJs);
    return dir;
}

const probePack = `
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("probe", {
    policies: [
        {
            name: "echo",
            description: "Reports what it was given.",
            enforcementLevel: "advisory",
            configSchema: { properties: { greeting: { type: "string", default: "hello" }, limit: { type: "integer", minimum: 1 } } },
            validateResource: (args, report) => {
                if (args.type !== "test:index:Thing") return;
                report(JSON.stringify({
                    type: args.type, name: args.name, props: args.props, protect: args.opts.protect,
                    parent: args.opts.parent, secretOutputs: args.opts.additionalSecretOutputs,
                    provider: args.provider && { name: args.provider.name, props: args.provider.props },
                    tags: Object.fromEntries(args.stackTags), config: args.getConfig(),
                }));
            },
        },
        {
            name: "peek",
            description: "Reads a property that may be unknown.",
            enforcementLevel: "mandatory",
            validateResource: (args) => { if (args.type === "test:index:Thing") void args.props.later.length; },
        },
        {
            name: "links",
            description: "Reports the graph links of things.",
            enforcementLevel: "mandatory",
            validateStack: (args, report) => {
                for (const r of args.resources.filter((r) => r.type === "test:index:Thing")) {
                    report(JSON.stringify({
                        parent: r.parent && r.parent.name,
                        dependencies: r.dependencies.map((d) => d.name),
                        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, v]) => [k, v.map((d) => d.name)])),
                        props: r.props,
                    }), r.urn);
                }
            },
        },
        {
            name: "boom",
            description: "Throws on request.",
            validateResource: (args) => { if (args.props.explode === true) throw new Error("boom from the policy"); },
        },
        {
            name: "chatty",
            description: "Logs a lot, or dies, on request.",
            validateResource: (args) => {
                if (args.props.chatty === true) for (let i = 0; i < 2000; i++) console.log("x".repeat(200));
                if (args.props.die === true) { console.error("dying on request"); process.exit(3); }
            },
        },
    ],
});
`;

function probeGraph(thingInputs: Record<string, unknown>): ResourceGraph {
    const provider = resource("pulumi:providers:test", "p", { region: "eu", apiKey: secretMarker() }, { id: "p-id" });
    const group = resource("test:index:Group", "group", {}, { custom: false });
    const dep = resource("test:index:Other", "dep", {}, { id: "dep-id" });
    const thing = resource("test:index:Thing", "thing", thingInputs, {
        id: "thing-id",
        parent: group.urn,
        provider: `${provider.urn}::p-id`,
        protect: true,
        additionalSecretOutputs: ["password"],
        outputs: { ...thingInputs, computed: "after-create" },
        dependencies: [dep.urn],
        propertyDependencies: { source: [dep.urn] },
    });
    return graph(provider, group, dep, thing);
}

beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "analyzer-test-"));
    // Packs resolve @pulumi/policy and the runner from the project's dependencies.
    fs.symlinkSync(path.join(projectRoot, "node_modules"), path.join(workDir, "node_modules"), "dir");
});

afterAll(() => {
    fs.rmSync(workDir, { recursive: true, force: true });
});

describe("a pack over the Analyzer protocol", () => {
    let pack: PolicyPackHandle;

    beforeAll(async () => {
        pack = await startPolicyPack(writePack("probe", probePack), { timeoutMs: 120_000 });
    }, 150_000);

    afterAll(async () => {
        await pack?.close();
    });

    it("reports the pack's info, policies, levels and config schemas", () => {
        expect(pack.info).toMatchObject({ name: "probe", version: "1.2.3", supportsConfig: true });
        expect(pack.info.policies.map((p) => [p.name, p.type, p.enforcementLevel])).toEqual([
            ["echo", "resource", "advisory"],
            ["peek", "resource", "mandatory"],
            ["links", "stack", "mandatory"],
            ["boom", "resource", "advisory"],
            ["chatty", "resource", "advisory"],
        ]);
        expect(pack.info.policies[0].configSchema?.properties.greeting).toEqual({ type: "string", default: "hello" });
    });

    it("sends inputs, secrets as secret values, options, provider, stack tags and config", async () => {
        const { diagnostics } = await pack.analyze(probeGraph({ size: 3, password: secretMarker(), later: [1] }), {
            stackTags: { "migration:phase": "0" },
            config: { echo: { limit: 2 } },
        });
        const echo = diagnostics.find((d) => d.policyName === "echo")!;
        expect(echo).toMatchObject({ policyPackName: "probe", policyPackVersion: "1.2.3", enforcementLevel: "advisory", urn: urnOf("test:index:Thing", "thing") });
        expect(JSON.parse(echo.message.split("\n")[1])).toEqual({
            type: "test:index:Thing",
            name: "thing",
            props: { size: 3, password: "[secret]", later: [1] },
            protect: true,
            parent: urnOf("test:index:Group", "group"),
            secretOutputs: ["password"],
            provider: { name: "p", props: { region: "eu", apiKey: "[secret]" } },
            tags: { "migration:phase": "0" },
            config: { greeting: "hello", limit: 2 },
        });
    });

    it("sends the whole graph to AnalyzeStack: outputs, parents, dependencies", async () => {
        const { diagnostics } = await pack.analyze(probeGraph({ size: 3, later: [] }));
        const links = diagnostics.find((d) => d.policyName === "links")!;
        expect(links.urn).toBe(urnOf("test:index:Thing", "thing"));
        expect(JSON.parse(links.message.split("\n")[1])).toEqual({
            parent: "group",
            dependencies: ["dep"],
            propertyDependencies: { source: ["dep"] },
            props: { size: 3, later: [], computed: "after-create" },
        });
    });

    it("sends unknowns as the engine does, so a policy reading one is skipped at preview", async () => {
        const { diagnostics } = await pack.analyze(probeGraph({ size: 3, later: unknownPlaceholder }));
        const peek = diagnostics.find((d) => d.policyName === "peek")!;
        expect(peek.enforcementLevel).toBe("advisory");
        expect(peek.message).toContain("can't run policy 'peek' from policy pack 'probe@v1.2.3' during preview");
    });

    it("applies enforcement levels from config", async () => {
        const { diagnostics } = await pack.analyze(probeGraph({ size: 3, later: [] }), { config: { links: "advisory", echo: "disabled" } });
        expect(diagnostics.find((d) => d.policyName === "echo")).toBeUndefined();
        expect(diagnostics.find((d) => d.policyName === "links")!.enforcementLevel).toBe("advisory");
    });

    it("refuses config for unknown policies or settings, or of the wrong type", async () => {
        expect(() => resolvePolicyConfig(pack.info, { nope: "mandatory", echo: { limit: 0, colour: "red" } })).toThrow(
            /no such policy in probe[\s\S]*echo\.limit = 0: expected ≥ 1[\s\S]*echo\.colour: no such setting; known settings are greeting, limit/,
        );
        await expect(pack.analyze(probeGraph({ later: [] }), { config: { echo: { greeting: 5 } } })).rejects.toMatchObject({ kind: "config" });
    });

    it("reports a policy that throws as an analysis error naming the policy", async () => {
        const error = await pack.analyze(probeGraph({ explode: true, later: [] })).catch((e) => e);
        expect(error).toBeInstanceOf(PolicyPackError);
        expect(error.kind).toBe("analysis");
        expect(error.message).toContain("Error validating resource with policy 'boom'");
        expect(error.message).toContain("boom from the policy");
    });

    it("keeps serving a pack that writes a lot to stdout", async () => {
        const analyses = [];
        for (let i = 0; i < 3; i++) analyses.push(await pack.analyze(probeGraph({ chatty: true, later: [] })));
        expect(analyses.every((a) => a.diagnostics.some((d) => d.policyName === "links"))).toBe(true);
    });

    // Last: it ends the shared pack.
    it("reports a pack that dies during analysis, with its stderr", async () => {
        const error = await pack.analyze(probeGraph({ die: true, later: [] })).catch((e) => e);
        expect(error).toMatchObject({ kind: "crashed", message: expect.stringContaining("exited with code 3") });
        expect(error.stderr).toContain("dying on request");
        await expect(pack.analyze(probeGraph({ later: [] }))).rejects.toMatchObject({ kind: "crashed" });
    });
});

describe("starting a pack", () => {
    it("fails clearly when the pack is missing", async () => {
        await expect(startPolicyPack(path.join(workDir, "nowhere"))).rejects.toMatchObject({
            kind: "missing",
            message: expect.stringContaining("is not a directory"),
        });
        const empty = path.join(workDir, "empty");
        fs.mkdirSync(empty);
        await expect(startPolicyPack(empty)).rejects.toMatchObject({ kind: "missing", message: expect.stringContaining("no PulumiPolicy.yaml") });
    });

    it("reports a pack that crashes on start, with its stderr", async () => {
        const dir = writePack("crashing", `throw new Error("pack failed to load");\n`);
        const error = await startPolicyPack(dir, { timeoutMs: 60_000 }).catch((e) => e);
        expect(error).toBeInstanceOf(PolicyPackError);
        expect(error.kind).toBe("crashed");
        expect(error.message).toMatch(/exited with code \d+ before serving/);
        expect(error.stderr).toContain("pack failed to load");
    }, 90_000);

    it("stops waiting for a pack that hangs, and kills it", async () => {
        const dir = writePack("hanging", `require("fs").writeFileSync("pid", String(process.pid)); setInterval(() => {}, 1000);\n`);
        const started = Date.now();
        const error = await startPolicyPack(dir, { timeoutMs: 4_000 }).catch((e) => e);
        expect(error).toMatchObject({ kind: "timeout", message: expect.stringContaining("did not print its port within 4000 ms") });
        expect(Date.now() - started).toBeLessThan(15_000);
        const pid = Number(fs.readFileSync(path.join(dir, "pid"), "utf8"));
        expect(() => process.kill(pid, 0)).toThrow();
    }, 60_000);
});

describe("what a pack's project file says", () => {
    it("refuses a pack of another runtime, and one whose main does not exist, before starting anything", async () => {
        const python = writePack("python", "");
        fs.writeFileSync(path.join(python, "PulumiPolicy.yaml"), "runtime: python\n");
        await expect(startPolicyPack(python)).rejects.toMatchObject({ kind: "config", message: expect.stringContaining('runtime = "python"; this runner starts Node.js policy packs') });
        const misplaced = writePack("misplaced", "");
        fs.writeFileSync(path.join(misplaced, "PulumiPolicy.yaml"), "runtime: nodejs\nmain: dist/index.js\n");
        await expect(startPolicyPack(misplaced)).rejects.toMatchObject({ kind: "missing", message: expect.stringContaining('main = "dist/index.js", which does not exist') });
    });
});

describe("oversized policy messages", () => {
    const verbosePack = `
const { PolicyPack } = require("@pulumi/policy");
new PolicyPack("verbose", { policies: [
    { name: "long-report", description: "Reports a long message on request.", enforcementLevel: "advisory",
      validateResource: (args, report) => { if (args.props.reportChars) report("r".repeat(args.props.reportChars)); } },
    { name: "long-failure", description: "Fails with a long message on request.", enforcementLevel: "advisory",
      validateResource: (args) => { if (args.props.failChars) throw new Error("f".repeat(args.props.failChars)); } },
] });
`;
    let pack: PolicyPackHandle;
    beforeAll(async () => {
        pack = await startPolicyPack(writePack("verbose", verbosePack), { timeoutMs: 120_000, callTimeoutMs: 5_000 });
    }, 150_000);
    afterAll(async () => {
        await pack?.close();
    });
    const graph = (inputs: Record<string, unknown>): ResourceGraph => ({
        project: "proj",
        stack: "dev",
        resources: [resource("test:index:Thing", "t", inputs, { outputs: inputs })],
        outputs: {},
    });

    it("ends a call the pack cannot answer (a 1 MB failure message) at the call timeout, and later calls still work", async () => {
        const started = Date.now();
        const error = await pack.analyze(graph({ failChars: 1_000_000 })).catch((e) => e);
        expect(error).toMatchObject({ kind: "timeout", message: expect.stringContaining("an error message over 64 KB is one cause") });
        expect(Date.now() - started).toBeLessThan(20_000);
        const after = await pack.analyze(graph({}));
        expect(after.diagnostics).toEqual([]);
    }, 60_000);

    it("keeps a long violation message to a readable length, with a note", async () => {
        const { diagnostics } = await pack.analyze(graph({ reportChars: 100_000 }));
        const [long] = diagnostics.filter((d) => d.policyName === "long-report");
        expect(long.message.length).toBeLessThan(17_000);
        expect(long.message).toMatch(/… \[truncated by the policy runner: \d+ characters in all\]$/);
    }, 60_000);
});
