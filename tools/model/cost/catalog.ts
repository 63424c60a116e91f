/**
 * The price catalog: list prices as data (`prices.json`), one version for the whole project,
 * and the per-stack overrides applied over it. Pure: no Pulumi runtime, no network.
 *
 * Every entry carries where its number comes from: a `source` (an id in `sources`) and an
 * `asOf` date, or `assumption: true` with a `reason`. `checkProvenance` enforces that, so a
 * number without a pedigree cannot enter the catalog.
 */

/** Where a number comes from: a published source and date, or an assumption and why. */
export type Provenance =
    | { source: string; asOf: string; note?: string; assumption?: false; overridden?: boolean }
    | { assumption: true; reason: string; overridden?: boolean };

export interface MachinePrice {
    onDemandUsdPerHour?: number;
    spotUsdPerHour?: number;
    /** GPUs bundled in the machine price (A2/A3 machine types are sold with their GPUs). */
    accelerator?: { type: string; count: number };
}

export interface DbuRate {
    /** The `sku_name` under which `system.billing.list_prices` lists this rate. */
    sku?: string;
    usdPerDbu: number;
}

export type DbuRateKey = "jobs" | "jobsPhoton" | "allPurpose" | "allPurposePhoton" | "sqlClassic" | "sqlPro" | "sqlServerless";

export interface SourceInfo {
    title: string;
    url: string;
    asOf: string;
}

export interface PriceCatalog {
    version: string;
    currency: "USD";
    /** The region the GCP prices are for; a resource elsewhere is priced with a warning. */
    region: string;
    tier: string;
    sources: Record<string, SourceInfo>;
    gcp: {
        machines: Record<string, MachinePrice & Provenance>;
        disks: Record<string, { usdPerGbMonth: number } & Provenance>;
        gcs: Record<string, { regionUsdPerGbMonth?: number; multiRegionUsdPerGbMonth?: number } & Provenance>;
        bigquery: { activeLogicalStorage: { usdPerGbMonth: number } & Provenance };
        gke: { clusterManagement: { usdPerHour: number } & Provenance };
    };
    databricks: {
        dbuRates: Record<DbuRateKey, DbuRate & Provenance>;
        nodeDbuPerHour: Record<string, { dbuPerHour: number } & Provenance>;
        sqlWarehouseDbuPerHour: Record<string, { dbuPerHour: number } & Provenance>;
    };
}

/**
 * The project's catalog, as shipped. Callers that change it work on a copy (`withOverrides`).
 * Required rather than imported: an imported JSON module is typed by inference, which the pack's
 * type-checking start would pay for at every run; the declared type is all the code needs.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const defaultCatalog: PriceCatalog = require("./prices.json") as PriceCatalog;

/** Every priced entry of the catalog, with its path (`gcp.machines.a3-highgpu-8g`). */
export function catalogEntries(catalog: PriceCatalog): { path: string; entry: Record<string, unknown> }[] {
    const groups: [string, Record<string, unknown>][] = [
        ["gcp.machines", catalog.gcp.machines],
        ["gcp.disks", catalog.gcp.disks],
        ["gcp.gcs", catalog.gcp.gcs],
        ["gcp.bigquery", catalog.gcp.bigquery],
        ["gcp.gke", catalog.gcp.gke],
        ["databricks.dbuRates", catalog.databricks.dbuRates],
        ["databricks.nodeDbuPerHour", catalog.databricks.nodeDbuPerHour],
        ["databricks.sqlWarehouseDbuPerHour", catalog.databricks.sqlWarehouseDbuPerHour],
    ];
    return groups.flatMap(([prefix, group]) =>
        Object.entries(group).map(([key, entry]) => ({ path: `${prefix}.${key}`, entry: entry as Record<string, unknown> })),
    );
}

/** Entries whose provenance is missing or incomplete: each should name a source and date, or be an assumption with a reason. */
export function checkProvenance(catalog: PriceCatalog): string[] {
    const problems: string[] = [];
    for (const { path, entry } of catalogEntries(catalog)) {
        if (entry.assumption === true) {
            if (typeof entry.reason !== "string" || entry.reason.length < 10) problems.push(`${path}: an assumption without a reason`);
            continue;
        }
        if (entry.overridden === true) continue;
        if (typeof entry.source !== "string" || !(entry.source in catalog.sources)) {
            problems.push(`${path}: source ${JSON.stringify(entry.source)} is not one of ${Object.keys(catalog.sources).join(", ")}`);
        }
        if (typeof entry.asOf !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(entry.asOf)) problems.push(`${path}: no asOf date`);
    }
    return problems;
}

/** A bad `migration:cost.priceOverrides` entry, in the shape the config error report uses. */
export interface OverrideProblem {
    key: string;
    value: string;
    accepted: string;
}

export class PriceOverrideError extends Error {
    constructor(readonly problems: OverrideProblem[]) {
        super(
            `Invalid price overrides (${problems.length}):\n` +
                problems.map((p) => `  - ${p.key} = ${p.value}: expected ${p.accepted}`).join("\n"),
        );
        this.name = "PriceOverrideError";
    }
}

/** Maps where an override may add a new entry (a node type the catalog does not know yet). */
const openGroups: Record<string, readonly string[]> = {
    "gcp.machines": ["onDemandUsdPerHour", "spotUsdPerHour"],
    "gcp.disks": ["usdPerGbMonth"],
    "databricks.nodeDbuPerHour": ["dbuPerHour"],
    "databricks.sqlWarehouseDbuPerHour": ["dbuPerHour"],
};

/**
 * The catalog with a stack's overrides applied (a copy; the input is not changed). A path is
 * `<group>.<entry>.<field>` (`gcp.machines.a3-highgpu-8g.spotUsdPerHour`); an overridden entry
 * is marked `overridden` so reports show that the number came from the stack. A path that names
 * no price is refused with the fields that exist, all problems at once.
 */
export function withOverrides(catalog: PriceCatalog, overrides: Record<string, number>, configKey = "migration:cost.priceOverrides"): PriceCatalog {
    const copy = structuredClone(catalog);
    const problems: OverrideProblem[] = [];
    const groups = new Map(catalogEntries(copy).map(({ path }) => [path.slice(0, path.lastIndexOf(".")), true]));
    for (const [path, value] of Object.entries(overrides)) {
        const fail = (accepted: string) => problems.push({ key: `${configKey}.${path}`, value: JSON.stringify(value), accepted });
        if (!(typeof value === "number" && Number.isFinite(value) && value >= 0)) {
            fail("a price in USD ≥ 0");
            continue;
        }
        const groupPath = [...groups.keys()].find((g) => path.startsWith(`${g}.`));
        if (!groupPath) {
            fail(`a price path starting with one of ${[...groups.keys()].join(", ")}`);
            continue;
        }
        const rest = path.slice(groupPath.length + 1);
        const dot = rest.lastIndexOf(".");
        const entryKey = dot < 0 ? rest : rest.slice(0, dot);
        const fieldName = dot < 0 ? "" : rest.slice(dot + 1);
        const group = groupAt(copy, groupPath);
        const existing = group[entryKey] as Record<string, unknown> | undefined;
        const numericFields = existing
            ? Object.keys(existing).filter((k) => typeof existing[k] === "number")
            : (openGroups[groupPath] ?? []);
        if (!existing && !openGroups[groupPath]) {
            fail(`an existing entry of ${groupPath}: ${Object.keys(group).join(", ")}`);
            continue;
        }
        const allowed = existing ? [...new Set([...numericFields, ...(openGroups[groupPath] ?? [])])] : numericFields;
        if (!allowed.includes(fieldName)) {
            fail(`a price field of ${groupPath}.${entryKey}: ${allowed.map((f) => `${groupPath}.${entryKey}.${f}`).join(", ")}`);
            continue;
        }
        const entry = (group[entryKey] ??= {}) as Record<string, unknown>;
        entry[fieldName] = value;
        entry.overridden = true;
    }
    if (problems.length > 0) throw new PriceOverrideError(problems);
    return copy;
}

function groupAt(catalog: PriceCatalog, groupPath: string): Record<string, unknown> {
    let current: unknown = catalog;
    for (const part of groupPath.split(".")) current = (current as Record<string, unknown>)[part];
    return current as Record<string, unknown>;
}

/** A short provenance text for reports: "gcp-billing-catalog 2025-03-06", "assumption", "stack override". */
export function provenanceLabel(entry: Provenance): string {
    if (entry.overridden) return "stack override";
    if (entry.assumption) return "assumption";
    return `${entry.source} ${entry.asOf}`;
}
