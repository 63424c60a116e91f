/**
 * SARIF 2.1.0 output for code scanning: one rule per policy, one result per violation.
 *
 * A result is located where a change would fix it: the line of the stack file's config key the
 * finding names (`migration:h100.spotShare = …`), else the source file of the component that
 * declared the resource (the `super("migration:gcp:GkeCluster", …)` of its class), else the
 * stack file. Code scanning resolves locations against the repository's root, so files are
 * given relative to it, wherever the project sits. Each result carries a fingerprint that does
 * not change between runs of the same input (rule, phase, resource, and the message with its
 * figures left out), so alerts are tracked rather than churned. Levels follow enforcement:
 * mandatory and remediate block (error), advisory is advice (warning).
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { EnforcementLevel, PhaseReport, PlanReport } from "./report";

/** What the SARIF reads of a report: its stack and each phase's violations (a plan's, or a diff's new ones). */
export type SarifInput = Pick<PlanReport, "stack"> & { phases: readonly Pick<PhaseReport, "phase" | "violations">[] };

/** Where results can point: the stack file (repository-relative URI, and its text) and the project's sources. */
export interface SarifLocations {
    /** The stack file as a repository-relative URI. */
    configUri: string;
    /** The stack file's text, to find a config key's line. */
    configText?: string;
    /** The Pulumi project directory, whose component sources are searched for a resource's type. */
    projectDir?: string;
}

/** `file` as a URI relative to the root of the git repository holding it (else to `cwd`). */
export function repoRelativePath(file: string, cwd: string = process.cwd()): string {
    const absolute = path.resolve(cwd, file);
    let root = cwd;
    for (let dir = path.dirname(absolute); ; dir = path.dirname(dir)) {
        // A worktree or submodule has a .git file rather than a folder; both mark a root.
        if (fs.existsSync(path.join(dir, ".git"))) {
            root = dir;
            break;
        }
        if (path.dirname(dir) === dir) break;
    }
    // A SARIF location is a URI: each segment percent-encoded.
    return path.relative(root, absolute).split(path.sep).map(encodeURIComponent).join("/");
}

/** The SARIF level of an enforcement level: what blocks is an error. */
export function sarifLevel(level: EnforcementLevel): "error" | "warning" | "note" {
    if (level === "mandatory" || level === "remediate") return "error";
    return level === "advisory" ? "warning" : "note";
}

/** The 1-based line of a top-level config key (`migration:h100`) in a stack file's text. */
export function configKeyLine(text: string, key: string): number | undefined {
    const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const pattern = new RegExp(`^\\s+["']?${escaped}["']?\\s*:`);
    const index = text.split("\n").findIndex((line) => pattern.test(line));
    return index === -1 ? undefined : index + 1;
}

/** The config keys a message names (`migration:h100.spotShare` → `migration:h100`), first first. */
function keysNamed(message: string): string[] {
    return [...message.matchAll(/\b([a-z][\w-]*:[a-zA-Z]\w*)/g)].map((m) => m[1]);
}

const skipped = new Set(["node_modules", ".git", "dist", "test", ".migration"]);

/** Component type → the file and line of the `super("type", …)` that declares it, under `dir`. */
function componentSources(dir: string): Map<string, { file: string; line: number }> {
    const found = new Map<string, { file: string; line: number }>();
    const visit = (folder: string, depth: number) => {
        if (depth > 6) return;
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(folder, { withFileTypes: true });
        } catch {
            return;
        }
        for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(folder, entry.name);
            if (entry.isDirectory()) {
                if (!skipped.has(entry.name) && !entry.name.startsWith(".")) visit(full, depth + 1);
            } else if (/\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith(".d.ts")) {
                const lines = fs.readFileSync(full, "utf8").split("\n");
                lines.forEach((line, i) => {
                    for (const m of line.matchAll(/super\(\s*["'`]([\w-]+:[\w-]+:[\w-]+)["'`]/g)) {
                        if (!found.has(m[1])) found.set(m[1], { file: full, line: i + 1 });
                    }
                });
            }
        }
    };
    visit(dir, 0);
    return found;
}

/** The types of a URN's parent chain and its own, outermost first. */
function typeChain(urn: string): string[] {
    const parts = urn.split("::");
    return parts.length >= 4 ? parts[2].split("$") : [];
}

function fingerprint(...parts: readonly (string | number | null)[]): string {
    return createHash("sha256").update(parts.map(String).join("\u0000")).digest("hex");
}

export function formatSarif(report: SarifInput, where: string | SarifLocations, version: string): string {
    const locations: SarifLocations = typeof where === "string" ? { configUri: where } : where;
    let components: Map<string, { file: string; line: number }> | undefined;
    const componentOf = (urn: string) => {
        if (!locations.projectDir) return undefined;
        components ??= componentSources(locations.projectDir);
        // The innermost component that declared the resource.
        const type = typeChain(urn).reverse().find((t) => components!.has(t));
        return type ? components.get(type) : undefined;
    };
    const physical = (message: string, urn: string | undefined) => {
        if (locations.configText !== undefined) {
            for (const key of keysNamed(message)) {
                const line = configKeyLine(locations.configText, key);
                if (line !== undefined) return { artifactLocation: { uri: locations.configUri, uriBaseId: "%SRCROOT%" }, region: { startLine: line } };
            }
        }
        const component = urn ? componentOf(urn) : undefined;
        if (component) return { artifactLocation: { uri: repoRelativePath(component.file), uriBaseId: "%SRCROOT%" }, region: { startLine: component.line } };
        return { artifactLocation: { uri: locations.configUri, uriBaseId: "%SRCROOT%" }, region: { startLine: 1 } };
    };

    const rules = new Map<string, Record<string, unknown>>();
    const results = report.phases.flatMap((phase) =>
        phase.violations.map((v) => {
            const ruleId = `${v.policyPack}/${v.policy}`;
            const level = sarifLevel(v.enforcementLevel);
            if (!rules.has(ruleId)) {
                rules.set(ruleId, {
                    id: ruleId,
                    name: v.policy,
                    shortDescription: { text: v.policy },
                    ...(v.description ? { fullDescription: { text: v.description } } : {}),
                    defaultConfiguration: { level },
                });
            }
            const subject = v.urn ?? report.stack;
            return {
                ruleId,
                level,
                message: { text: `${phase.phase === null ? "" : `[phase ${phase.phase}] `}${v.message}` },
                locations: [
                    {
                        physicalLocation: physical(v.message, v.urn),
                        logicalLocations: v.urn ? [{ fullyQualifiedName: v.urn, kind: "resource" }] : [{ fullyQualifiedName: report.stack, kind: "module" }],
                    },
                ],
                // Figures in a message (a cost, a count) move between runs; the finding does not.
                partialFingerprints: { "migrationFinding/v1": fingerprint(ruleId, phase.phase, subject, v.message.replace(/\d+(?:[.,]\d+)*/g, "#")) },
                properties: { phase: phase.phase, enforcementLevel: v.enforcementLevel },
            };
        }),
    );
    const sarif = {
        $schema: "https://json.schemastore.org/sarif-2.1.0.json",
        version: "2.1.0",
        runs: [
            {
                tool: { driver: { name: "migration", version, informationUri: "https://www.pulumi.com/docs/using-pulumi/crossguard/", rules: [...rules.values()] } },
                results,
            },
        ],
    };
    return JSON.stringify(sarif, null, 2) + "\n";
}
