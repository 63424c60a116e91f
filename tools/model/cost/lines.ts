/**
 * What the pricers share: the resource they are handed, the line they return, and the
 * context (catalog, assumptions) they price against. A pricer never returns a silent zero
 * for a kind it prices: it returns a line that is priced, or one that is `unpriced` with
 * the reason, which the estimate lists and warns about.
 */
import { CostConfig } from "../../../domain/costUsage";
import { PriceCatalog, Provenance, provenanceLabel } from "./catalog";
import type { TrainingReference } from "./equalWork";

/** The part of a graph resource the cost model reads (a GraphResource, or a policy's resource). */
export interface PricedResource {
    urn: string;
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    parent?: string;
}

export type Side = "gcp" | "databricks";

export interface CostLine {
    urn: string;
    type: string;
    name: string;
    side: Side;
    /** The phase that introduced the resource (its `phase` label), when it carries one. */
    phase?: number;
    priced: boolean;
    /** Monthly cost in USD; 0 only for a priced line that costs nothing. Unpriced lines are excluded from totals. */
    monthlyUsd: number;
    /** Cost of one training run, for resources that take part in it. */
    perTrainingUsd?: number;
    /** How the number was reached, for the breakdown ("2–8 × a3-highgpu-8g on demand, 2,190 node-h"). */
    detail: string;
    /** Usage assumptions applied (from migration:cost or their defaults). */
    assumptions: string[];
    /** Catalog entries used, with their provenance ("gcp.machines.a3-highgpu-8g: gcp-billing-catalog 2025-03-06"). */
    prices: string[];
    /** Why an unpriced line could not be priced, and how to fix it. */
    reason?: string;
}

export interface PricingContext {
    catalog: PriceCatalog;
    usage: CostConfig;
    warn(message: string): void;
    /** What one training run is on GCP (tools/model/cost/equalWork.ts), when the graph has GKE training pools. */
    trainingReference?: TrainingReference;
}

export class Unpriced extends Error {
    constructor(readonly reason: string) {
        super(reason);
        this.name = "Unpriced";
    }
}

/** A catalog entry by path, recorded as used; throws `Unpriced` when it is missing. */
export function priceOf<T extends object>(
    used: string[],
    group: Record<string, (T & Provenance) | undefined>,
    groupPath: string,
    key: string,
    field: keyof T & string,
    fix: string,
): number {
    const entry = group[key];
    const value = entry ? (entry[field] as unknown) : undefined;
    if (typeof value !== "number") {
        const known = Object.keys(group);
        throw new Unpriced(
            `${groupPath}.${key}${entry ? `.${field}` : ""} is not in the price catalog` +
                ` (known: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", …" : ""}); ${fix}`,
        );
    }
    const label = `${groupPath}.${key}.${field}: ${provenanceLabel(entry!)}`;
    if (!used.includes(label)) used.push(label);
    return value;
}

export const overrideFix = (path: string) =>
    `add migration:cost.priceOverrides["${path}"] for this stack, or the entry to tools/model/cost/prices.json`;

export function num(value: unknown): number | undefined {
    if (typeof value === "number" && Number.isFinite(value)) return value;
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
    return undefined;
}

export function str(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

export function record(value: unknown): Record<string, unknown> {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

export function list(value: unknown): Record<string, unknown>[] {
    return Array.isArray(value) ? value.map(record) : [];
}

const usd = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD", maximumFractionDigits: 2 });
const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

export function formatUsd(value: number): string {
    return usd.format(value);
}

export function formatNumber(value: number): string {
    return plain.format(value);
}
