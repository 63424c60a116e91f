/**
 * A pack is type-checked at its start, as the Pulumi CLI's runner does, until a start with the
 * same inputs has passed; then it starts transpiled only. A change to any input brings the check
 * back, so a pack that does not type-check never starts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PolicyPackError, startPolicyPack } from "../../tools/pack/analyzer";
import { checkPassed, packCheckKey } from "../../tools/pack/typeCheckRecord";
import { projectDir } from "../harness";

let workDir: string;

beforeAll(() => {
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), "pack-check-"));
    // Packs resolve @pulumi/policy and the runner from the project's dependencies.
    fs.symlinkSync(path.join(projectDir, "node_modules"), path.join(workDir, "node_modules"), "dir");
});
afterAll(() => fs.rmSync(workDir, { recursive: true, force: true }));

/**
 * A TypeScript pack whose type check reads its own files only (no declarations of the SDKs:
 * `require` is declared here), so that a check takes a second rather than five.
 */
function writePack(name: string, files: Record<string, string> = {}): string {
    const dir = path.join(workDir, name);
    fs.mkdirSync(path.join(dir, "lib"), { recursive: true });
    const all: Record<string, string> = {
        "PulumiPolicy.yaml": "runtime: nodejs\n",
        "package.json": JSON.stringify({ name, version: "0.1.0" }),
        "tsconfig.json": JSON.stringify({ compilerOptions: { strict: true, types: [], lib: ["ES2022"], module: "commonjs", moduleResolution: "node10" } }),
        "index.ts": [
            'import { level } from "./lib/level";',
            "declare const require: (id: string) => { PolicyPack: new (name: string, args: unknown) => unknown };",
            'const { PolicyPack } = require("@pulumi/policy");',
            `new PolicyPack(${JSON.stringify(name)}, { policies: [{ name: "p", description: "d", enforcementLevel: level, validateResource: () => undefined }] });`,
        ].join("\n"),
        "lib/level.ts": 'export const level: string = "advisory";\n',
        ...files,
    };
    for (const [file, text] of Object.entries(all)) fs.writeFileSync(path.join(dir, file), text);
    return dir;
}

describe("the key of a pack's type check", () => {
    it("changes with any file the pack imports, and with nothing else in its folder", () => {
        const dir = writePack("keyed");
        const key = packCheckKey(dir)!;
        expect(key.digest).toMatch(/^[0-9a-f]{64}$/);
        expect(packCheckKey(dir)!.digest).toBe(key.digest);
        fs.writeFileSync(path.join(dir, "notes.md"), "not an input");
        expect(packCheckKey(dir)!.digest).toBe(key.digest);
        fs.writeFileSync(path.join(dir, "lib/level.ts"), 'export const level: string = "mandatory";\n');
        expect(packCheckKey(dir)!.digest).not.toBe(key.digest);
        fs.writeFileSync(path.join(dir, "lib/level.ts"), 'export const level: string = "advisory";\n');
        fs.writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: false } }));
        expect(packCheckKey(dir)!.digest).not.toBe(key.digest);
    });

    it("is not given where a record could not stand for the check: a computed require, another main, an extended tsconfig", () => {
        expect(packCheckKey(writePack("dynamic", { "lib/level.ts": 'declare const require: (id: string) => { level: string };\nconst name = "x";\nexport const level = require(`./${name}`).level;\n' }))).toBeUndefined();
        expect(packCheckKey(writePack("main"), "dist/index.js")).toBeUndefined();
        expect(packCheckKey(writePack("extends", { "tsconfig.json": JSON.stringify({ extends: "../base.json" }) }))).toBeUndefined();
        expect(packCheckKey(path.join(workDir, "nowhere"))).toBeUndefined();
    });

    it("covers this project's pack", () => {
        expect(packCheckKey(path.join(projectDir, "policies"))).toBeDefined();
    });
});

describe("a pack's start", () => {
    it("type-checks until a check of the same inputs passed, then transpiles; a change brings the check back, and a type error stops the start", async () => {
        const dir = writePack("checked");
        const first = await startPolicyPack(dir, { timeoutMs: 120_000 });
        await first.close();
        expect(first.typeChecked).toBe(true);
        expect(checkPassed(packCheckKey(dir)!)).toBe(true);

        const second = await startPolicyPack(dir, { timeoutMs: 120_000 });
        await second.close();
        expect(second.typeChecked).toBe(false);
        expect(second.info.policies.map((p) => [p.name, p.enforcementLevel])).toEqual([["p", "advisory"]]);

        // Still valid JavaScript, no longer valid TypeScript.
        fs.writeFileSync(path.join(dir, "lib/level.ts"), 'export const level: number = "advisory";\n');
        const error = await startPolicyPack(dir, { timeoutMs: 120_000 }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(PolicyPackError);
        expect(error).toMatchObject({ kind: "crashed" });
        expect((error as PolicyPackError).stderr).toMatch(/TS2322/);
        expect(checkPassed(packCheckKey(dir)!)).toBe(false);
    }, 120_000);
});
