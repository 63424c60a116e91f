/**
 * `migration diff`: runs the diff with the options the CLI parsed (tools/cli/commandTable.js, tools/cli/run.ts) and
 * renders it. Exit code 1, as `check`'s, when the change adds a mandatory violation or
 * deletes, replaces or tries to delete a stateful resource.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { formatSarif, SarifLocations } from "../report/formatSarif";
import { computeDiff } from "./compute";
import { Installer, repositoryRoot } from "./baseTree";
import { formatDiffMarkdown } from "./formatMarkdown";
import { formatDiffText } from "./formatText";
import { DiffReport } from "./report";

/** The options `diff` reads, as the CLI's parser gives them. */
export interface DiffCommandOptions {
    cwd: string;
    base?: string;
    /** The stack named with --stack, if one was. */
    stackOption?: string;
    phases: number[] | "all";
    policyPack: string | null;
    policyConfig?: string;
    phaseKey: string;
    format: "text" | "markdown" | "json" | "sarif";
    policyTimeoutMs: number;
}

/**
 * One SARIF run over every stack's new findings, each located as `migration check` locates it:
 * the stack file's line of the config key a finding names, else the source of the component
 * that declared the resource, else the stack file.
 */
export function formatDiffSarif(report: DiffReport, locationsOf: (stack: string) => SarifLocations, version: string): string {
    const sarif = JSON.parse(formatSarif({ stack: report.project, phases: [] }, "", version));
    const runs = report.stacks.map(
        (s) => JSON.parse(formatSarif({ stack: s.stack, phases: [{ phase: s.after.phase, violations: s.policies?.new ?? [] }] }, locationsOf(s.stack), version)).runs[0],
    );
    const rules = new Map<string, unknown>(runs.flatMap((r) => r.tool.driver.rules.map((rule: { id: string }) => [rule.id, rule])));
    sarif.runs[0].tool.driver.rules = [...rules.values()];
    sarif.runs[0].results = runs.flatMap((r) => r.results);
    return JSON.stringify(sarif, null, 2) + "\n";
}

export function renderDiff(report: DiffReport, options: Pick<DiffCommandOptions, "format" | "cwd">, version: string): string {
    switch (options.format) {
        case "text":
            return formatDiffText(report);
        case "markdown":
            return formatDiffMarkdown(report);
        case "json":
            return JSON.stringify(report, null, 2) + "\n";
        case "sarif": {
            const root = repositoryRoot(options.cwd);
            const projectDir = path.resolve(options.cwd);
            return formatDiffSarif(
                report,
                (stack) => {
                    // A qualified stack name (org/project/name) is never a file name: its last part is.
                    const file = path.join(projectDir, `Pulumi.${stack.split("/").pop()}.yaml`);
                    return { configUri: path.relative(root, file), configText: fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined, projectDir };
                },
                version,
            );
        }
    }
}

export async function runDiff(options: DiffCommandOptions, version: string, install?: Installer): Promise<{ text: string; exitCode: 0 | 1 }> {
    const report = await computeDiff({
        cwd: options.cwd,
        base: options.base,
        ...(options.stackOption ? { stacks: [options.stackOption] } : {}),
        ...(options.phases === "all" ? {} : { phase: options.phases[0] }),
        policyPack: options.policyPack,
        policyConfig: options.policyConfig,
        phaseKey: options.phaseKey,
        policyTimeoutMs: options.policyTimeoutMs,
        ...(install ? { install } : {}),
    });
    return { text: renderDiff(report, options, version), exitCode: report.verdict.exitCode };
}
