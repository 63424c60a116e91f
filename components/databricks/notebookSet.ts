import * as fs from "node:fs";
import * as path from "node:path";
import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { MigrationComponent } from "../stateful";

/** The project's `notebooks/` folder: the code the jobs run, reviewed and tested like the rest. */
export const notebooksDir = path.resolve(__dirname, "../../notebooks");

export interface NotebookSource {
    /** File below `sourceDir`, such as `data_prep.py`. */
    file: string;
    /** Absolute workspace path, such as `/Shared/data_prep`. */
    path: string;
}

export interface NotebookSetArgs {
    sourceDir: string;
    notebooks: NotebookSource[];
    /** Plain files (Python modules the notebooks import), such as `lib/ml_migration/gpu.py`. */
    files?: NotebookSource[];
}

const languages: Record<string, { language: string; header: string }> = {
    ".py": { language: "PYTHON", header: "# Databricks notebook source" },
    ".sql": { language: "SQL", header: "-- Databricks notebook source" },
};

/**
 * Deploys notebooks and the modules they import into the workspace, from the files in this
 * repository. The content goes in as base64 of the file read at deployment, so the plan
 * carries the exact code (a changed file is a changed resource), on any machine and offline.
 */
export class NotebookSet extends MigrationComponent {
    readonly notebooks: Record<string, databricks.Notebook>;
    readonly files: Record<string, databricks.WorkspaceFile>;

    constructor(name: string, args: NotebookSetArgs, opts?: pulumi.ComponentResourceOptions) {
        const contents = readAll(name, args);
        super("migration:databricks:NotebookSet", name, {}, opts);

        this.notebooks = Object.fromEntries(
            args.notebooks.map((source) => {
                const ext = path.extname(source.file);
                const notebook = new databricks.Notebook(
                    `${name}-${resourceName(source.file)}`,
                    {
                        path: source.path,
                        language: languages[ext].language,
                        format: "SOURCE",
                        contentBase64: contents.get(source.file)!,
                    },
                    { parent: this },
                );
                return [source.path, notebook];
            }),
        );
        this.files = Object.fromEntries(
            (args.files ?? []).map((source) => [
                source.path,
                new databricks.WorkspaceFile(
                    `${name}-${resourceName(source.file)}`,
                    { path: source.path, contentBase64: contents.get(source.file)! },
                    { parent: this },
                ),
            ]),
        );
        this.registerOutputs({ notebooks: Object.keys(this.notebooks), files: Object.keys(this.files) });
    }

    /** The workspace path of a deployed notebook, as an output that waits for the upload. */
    pathOf(workspacePath: string): pulumi.Output<string> {
        const notebook = this.notebooks[workspacePath];
        if (!notebook) throw new Error(`NotebookSet: no notebook at ${workspacePath} (have ${Object.keys(this.notebooks).join(", ")})`);
        return notebook.path;
    }
}

function resourceName(file: string): string {
    return file.replace(/\.[a-z]+$/, "").replace(/[^A-Za-z0-9]+/g, "-");
}

/** Reads every file first, so a missing or malformed one fails before anything is registered. */
function readAll(name: string, args: NotebookSetArgs): Map<string, string> {
    const problems: string[] = [];
    const contents = new Map<string, string>();
    const paths = new Set<string>();
    const sources = [...args.notebooks.map((s) => ({ ...s, notebook: true })), ...(args.files ?? []).map((s) => ({ ...s, notebook: false }))];
    for (const source of sources) {
        if (!/^\/(Shared|Workspace|Users|Repos)\//.test(source.path) || /\/\.\.?(\/|$)/.test(source.path)) {
            problems.push(`path ${JSON.stringify(source.path)}: expected an absolute workspace path such as /Shared/data_prep (no DBFS or /mnt)`);
        }
        if (paths.has(source.path)) problems.push(`path ${JSON.stringify(source.path)}: deployed twice`);
        paths.add(source.path);
        const ext = path.extname(source.file);
        if (source.notebook && !languages[ext]) {
            problems.push(`${source.file}: expected a .py or .sql notebook`);
            continue;
        }
        let text: string;
        try {
            text = fs.readFileSync(path.join(args.sourceDir, source.file), "utf8");
        } catch (err) {
            problems.push(`${source.file}: cannot read it from ${args.sourceDir} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
            continue;
        }
        if (text.trim() === "") problems.push(`${source.file}: is empty`);
        else if (source.notebook && !text.startsWith(languages[ext].header)) {
            problems.push(`${source.file}: expected it to start with "${languages[ext].header}" (Databricks source format)`);
        }
        contents.set(source.file, Buffer.from(text, "utf8").toString("base64"));
    }
    if (problems.length > 0) throw new Error(`NotebookSet ${name}: ${problems.join("; ")}`);
    return contents;
}
