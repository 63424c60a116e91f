import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as databricks from "@pulumi/databricks";
import { describe, expect, it } from "vitest";
import { NotebookSet, NotebookSetArgs } from "../../../components/databricks/notebookSet";
import { byType, runProgram } from "../../harness";

function sourceDir(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "notebooks-"));
    for (const [name, text] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
        fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
}

const py = "# Databricks notebook source\nprint('hi')\n";
const sql = "-- Databricks notebook source\nSELECT 1;\n";

const run = (args: NotebookSetArgs) =>
    runProgram(() => {
        const workspace = new databricks.Provider("workspace", { host: "https://1.6.gcp.databricks.com" });
        new NotebookSet("nb", args, { providers: [workspace] });
    });

describe("NotebookSet", () => {
    it("uploads each file's exact content, with the language its extension names", async () => {
        const dir = sourceDir({ "prep.py": py, "maint.sql": sql, "lib/pkg/mod.py": "X = 1\n" });
        const graph = await run({
            sourceDir: dir,
            notebooks: [
                { file: "prep.py", path: "/Shared/prep" },
                { file: "maint.sql", path: "/Shared/maint" },
            ],
            files: [{ file: "lib/pkg/mod.py", path: "/Shared/lib/pkg/mod.py" }],
        });
        const notebooks = byType(graph, "databricks:index/notebook:Notebook");
        expect(notebooks.map((n) => [n.name, n.inputs.path, n.inputs.language, n.inputs.format])).toEqual([
            ["nb-prep", "/Shared/prep", "PYTHON", "SOURCE"],
            ["nb-maint", "/Shared/maint", "SQL", "SOURCE"],
        ]);
        expect(Buffer.from(notebooks[0].inputs.contentBase64 as string, "base64").toString()).toBe(py);
        const [file] = byType(graph, "databricks:index/workspaceFile:WorkspaceFile");
        expect(file.inputs.path).toBe("/Shared/lib/pkg/mod.py");
        expect(Buffer.from(file.inputs.contentBase64 as string, "base64").toString()).toBe("X = 1\n");
    });

    it("reports every unreadable, empty or headerless file and every bad path before registering anything", async () => {
        const dir = sourceDir({ "plain.py": "print(1)\n", "empty.sql": "  \n" });
        const error = await run({
            sourceDir: dir,
            notebooks: [
                { file: "missing.py", path: "/Shared/missing" },
                { file: "plain.py", path: "/Shared/plain" },
                { file: "empty.sql", path: "/mnt/empty" },
                { file: "job.scala", path: "/Shared/job" },
            ],
        }).catch((e) => e);
        expect(error.message).toContain("missing.py: cannot read it");
        expect(error.message).toContain('plain.py: expected it to start with "# Databricks notebook source"');
        expect(error.message).toContain("empty.sql: is empty");
        expect(error.message).toContain('path "/mnt/empty": expected an absolute workspace path');
        expect(error.message).toContain("job.scala: expected a .py or .sql notebook");
        expect(error.registered.filter((r: { type: string }) => !r.type.startsWith("pulumi:"))).toEqual([]);
    });
});
