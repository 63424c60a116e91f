/**
 * The table of docs/configuration.md: every leaf of the `migration` config schema with its
 * type, default and the `accepted` text the config error report quotes. Read from
 * domain/configSchema.ts, the one definition of every key.
 */
import { z } from "zod";
import { configSchema, fieldMeta } from "../../domain/configSchema";

export interface ConfigRow {
    key: string;
    type: string;
    /** The default as JSON, or how the value is found when there is none. */
    default: string;
    accepted: string;
    secret: boolean;
}

interface Def {
    type: string;
    innerType?: z.ZodType;
    defaultValue?: unknown;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    valueType?: z.ZodType;
    entries?: Record<string, string>;
    options?: z.ZodType[];
}

const defOf = (schema: z.ZodType): Def => (schema as unknown as { def: Def }).def;

/**
 * Defaults the schema leaves open because another key decides them; config.ts and
 * hybridConfig.ts compute them. Kept beside the generator so the table says where they come from.
 */
export const derivedDefaults: Record<string, string> = {
    environment: "the stack name, made label-safe",
    "a100Quota.region": "`migration:region`",
    "quota.allRegionsGpus": "every GPU the stack can run at once: H100 nodes × GPUs + the A100 quota requested",
    "databricks.workspaceName": "`ml-<environment>`",
    "databricks.catalog": "`ml_<environment>`",
    "databricks.bucketName": "`<gcpProject>-delta-lake`",
    "workload.gpus": "the configured maxima in H100-equivalents: H100 nodes × GPUs + A100 workers × GPUs × an A100's work per H100",
    "cost.training.gcpGpus": "one node of the GKE training pool's machine type",
    "cost.training.measuredThroughput": "none: the sourced or assumed figure of domain/gpuThroughput.ts",
    "workload.dataVcpus": "the configured maxima of the C4A pool and the data-prep cluster",
    "monitoring.channels": "every `costMonitoring.notificationEmails` channel",
    "gcpCredentials": "application-default credentials",
};

/** Keys that are optional in the schema but required from a phase on (domain/databricksConfig.ts). */
export const requiredFromPhase: Record<string, number> = {
    "databricks.accountId": 1,
    "databricks.googleServiceAccount": 1,
    "databricks.metastoreId": 1,
    "databricks.clusterUser": 1,
    "databricks.jobsRunAs": 1,
    "databricks.migrationSource": 2,
};

function typeName(schema: z.ZodType): string {
    const def = defOf(schema);
    switch (def.type) {
        case "default":
        case "prefault":
        case "optional":
        case "nullable":
            return typeName(def.innerType!);
        case "array":
            return `list of ${typeName(def.element!)}`;
        case "record":
            return `map of ${typeName(def.valueType!)}`;
        case "enum":
            return "enum";
        case "union":
            return def.options!.map(typeName).join(" or ");
        case "object":
            return "object";
        default:
            return def.type;
    }
}

function describeDefault(schema: z.ZodType, key: string): { value: string; required: boolean } {
    let current: z.ZodType | undefined = schema;
    let optional = false;
    while (current) {
        const def = defOf(current);
        if (def.type === "default") return { value: "`" + JSON.stringify(def.defaultValue) + "`", required: false };
        if (def.type === "optional") optional = true;
        current = def.innerType;
    }
    const derived = derivedDefaults[key];
    if (derived) return { value: derived, required: false };
    if (key in requiredFromPhase) return { value: `(required from phase ${requiredFromPhase[key]})`, required: false };
    return optional ? { value: "(none)", required: false } : { value: "(required)", required: true };
}

function walk(schema: z.ZodType, prefix: string, rows: ConfigRow[]): void {
    let inner: z.ZodType = schema;
    // Look through wrappers to find an object whose keys are documented one by one.
    for (let def = defOf(inner); ["default", "prefault", "optional"].includes(def.type); def = defOf(inner)) {
        inner = def.innerType!;
    }
    const meta = fieldMeta(schema);
    if (defOf(inner).type === "object" && !meta) {
        for (const [key, child] of Object.entries(defOf(inner).shape!)) walk(child, prefix ? `${prefix}.${key}` : key, rows);
        return;
    }
    const { value } = describeDefault(schema, prefix);
    rows.push({
        key: prefix,
        type: typeName(schema),
        default: value,
        accepted: meta?.accepted ?? "(no description)",
        secret: meta?.secret ?? false,
    });
}

export function configurationRows(): ConfigRow[] {
    const rows: ConfigRow[] = [];
    walk(configSchema, "", rows);
    return rows;
}

const cell = (text: string) => text.replace(/\|/g, "\\|").replace(/\n/g, " ");

export function configurationTable(rows: readonly ConfigRow[] = configurationRows()): string {
    const lines = ["| key (`migration:`…) | type | default | accepted |", "|---|---|---|---|"];
    for (const row of rows) {
        const accepted = row.secret ? `${row.accepted} (**secret only**)` : row.accepted;
        lines.push(`| \`${row.key}\` | ${cell(row.type)} | ${cell(row.default)} | ${cell(accepted)} |`);
    }
    return lines.join("\n");
}
