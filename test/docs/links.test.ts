/**
 * The hand-written docs stay true to the project: every relative link resolves, and every
 * `npx migration …` / `npm run …` they show is a command the project has.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { commandNames, findCommand, optionNames } from "../../tools/cli/commandTable";
import { projectDir } from "../harness";

/** Runbooks of the promote / rollback commands, written beside those commands. */
const lifecycleRunbooks = new Set(["docs/runbooks/promote.md", "docs/runbooks/immediate-recovery.md", "docs/runbooks/gradual-rollback.md"]);

function markdownFiles(dir: string): string[] {
    return fs.readdirSync(path.join(projectDir, dir), { withFileTypes: true }).flatMap((e) => {
        const rel = path.posix.join(dir, e.name);
        if (e.isDirectory()) return markdownFiles(rel);
        return e.name.endsWith(".md") ? [rel] : [];
    });
}

const docs = ["README.md", "policies/README.md", ...markdownFiles("docs")];
const commands = new Set(commandNames());
const options = new Set(optionNames());
const scripts = (JSON.parse(fs.readFileSync(path.join(projectDir, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

describe("docs", () => {
    for (const file of docs) {
        const text = fs.readFileSync(path.join(projectDir, file), "utf8");

        it(`${file}: relative links resolve`, () => {
            for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
                const target = m[1].split("#")[0];
                if (!target || /^[a-z]+:/.test(target)) continue;
                const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(file), target));
                if (lifecycleRunbooks.has(resolved)) continue;
                expect(fs.existsSync(path.join(projectDir, resolved)), `${file} → ${m[1]}`).toBe(true);
            }
        });

        it(`${file}: shows only commands the project has`, () => {
            for (const m of text.matchAll(/npx migration ([a-z-]+)((?: +--?[a-z-]+(?: +[^\s`|-][^\s`|]*)?)*)/g)) {
                if (m[1].startsWith("-")) {
                    expect(options.has(m[1]) || m[1] === "help", `${file}: npx migration ${m[1]}`).toBe(true);
                    continue;
                }
                expect(commands.has(m[1]), `${file}: npx migration ${m[1]}`).toBe(true);
                const own = [...Object.keys(findCommand(m[1])?.options ?? {}).map((o) => `--${o}`), "--help"];
                for (const opt of m[2].matchAll(/--[a-z-]+/g)) expect(own.includes(opt[0]), `${file}: ${opt[0]} in ${m[0]}, an option of ${m[1]}`).toBe(true);
            }
            for (const m of text.matchAll(/npm run ([a-z:-]+)/g)) expect(scripts[m[1]], `${file}: npm run ${m[1]}`).toBeDefined();
        });
    }
});
