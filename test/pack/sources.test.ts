import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { packSources, samePack } from "../../tools/pack/sources";
import { projectDir } from "../harness";

describe("packSources", () => {
    it("follows this project's pack through its relative imports into the domain layer and the cost model", () => {
        const files = packSources(path.join(projectDir, "policies")).map((f) => path.relative(projectDir, f));
        expect(files).toEqual(expect.arrayContaining(["policies/PulumiPolicy.yaml", "policies/index.ts", "policies/cost/costRatio.ts", "domain/targets.ts", "tools/model/cost/prices.json"]));
        // Packages are node_modules' business, and the program is not part of the pack.
        expect(files.some((f) => f.startsWith("node_modules") || f.startsWith("stacks/phases"))).toBe(false);
    });

    describe("samePack", () => {
        const temp = fs.mkdtempSync(path.join(os.tmpdir(), "migration-pack-sources-"));
        afterAll(() => fs.rmSync(temp, { recursive: true, force: true }));
        const copy = (name: string) => {
            const dir = path.join(temp, name);
            fs.cpSync(path.join(projectDir, "test/fixtures/diff-project"), dir, { recursive: true });
            fs.writeFileSync(path.join(dir, "policies/index.js"), `${fs.readFileSync(path.join(dir, "policies/index.js"), "utf8")}\nrequire("../labels");\n`);
            return dir;
        };
        const head = copy("head");
        const base = copy("base");
        const toBase = (file: string) => path.join(base, path.relative(head, file));

        it("is the same pack when every file it reaches is the same", () => {
            expect(samePack(path.join(head, "policies"), toBase)).toBe(true);
        });

        it("is another pack when a file it imports from outside its folder changed, or one is missing", () => {
            fs.appendFileSync(path.join(base, "labels.ts"), "// changed\n");
            expect(samePack(path.join(head, "policies"), toBase)).toBe(false);
            fs.copyFileSync(path.join(head, "labels.ts"), path.join(base, "labels.ts"));
            fs.rmSync(path.join(base, "policies/package.json"));
            expect(samePack(path.join(head, "policies"), toBase)).toBe(false);
        });
    });
});
