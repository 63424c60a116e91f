/**
 * Pitfalls of the seed's Delta settings:
 * - every Delta table keeps `delta.deletedFileRetentionDuration` ≥ 168 hours, so VACUUM never
 *   removes files that time travel, rollback or a concurrent reader still needs, and carries
 *   the auto-optimize properties of the seed's `CREATE TABLE models`;
 * - no VACUUM with `RETAIN` below that retention, and no Spark conf that turns the retention
 *   safety check off.
 */
import { deltaStorage, deltaTableProperties } from "../../domain/targets";
import { clusterSpecs, at } from "../../tools/model/compute";
import { configSchema, count, settings } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { onResource, resourcePolicy } from "../lib/policy";
import { isType, resourceTypes, SqlTableProps } from "../../tools/model/resourceTypes";
import { entries, hasUnknown, isUnknown, snapshot } from "../../tools/model/values";

const retentionKey = "delta.deletedFileRetentionDuration";
const { [retentionKey]: _retention, ...autoOptimize } = deltaTableProperties;

const schema = configSchema({
    minRetentionHours: count(
        deltaStorage.vacuumRetentionHours,
        "Least delta.deletedFileRetentionDuration, in hours, and least VACUUM RETAIN (seed vacuum_retention_hours).",
        1,
    ),
    requiredProperties: {
        type: "object",
        additionalProperties: { type: "string" },
        default: autoOptimize,
        description: "Table properties every Delta table carries, with their values (seed TBLPROPERTIES).",
    },
});

interface Settings {
    minRetentionHours: number;
    requiredProperties: Record<string, string>;
}

const unitHours: Record<string, number> = { minute: 1 / 60, hour: 1, day: 24, week: 168 };

/** Hours of a Delta interval such as "interval 168 hours" or "interval 7 days". */
export function intervalHours(text: string): number | undefined {
    const match = /^\s*interval\s+(\d+(?:\.\d+)?)\s+(minute|hour|day|week)s?\s*$/i.exec(text);
    return match ? Number(match[1]) * unitHours[match[2].toLowerCase()] : undefined;
}

const vacuumRetain = /VACUUM\s+[^;]*?RETAIN\s+(\d+(?:\.\d+)?)\s+HOURS/gi;

function vacuumProblems(text: string, min: number): number[] {
    return [...text.matchAll(vacuumRetain)].map((m) => Number(m[1])).filter((hours) => hours < min);
}

export const deltaTableSafety = resourcePolicy({
    name: "delta-table-retention",
    description:
        "Delta tables keep deletedFileRetentionDuration ≥ 168 hours and the auto-optimize properties; VACUUM never retains less.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: [
        onResource<SqlTableProps>(resourceTypes.sqlTable, (table, args, report) => {
            const { minRetentionHours, requiredProperties } = settings<Settings>(args, schema);
            if (isUnknown(table.tableType) || isUnknown(table.dataSourceFormat) || isUnknown(table.properties)) return;
            if (String(table.tableType).toUpperCase() === "VIEW") return;
            if (table.dataSourceFormat !== undefined && String(table.dataSourceFormat).toUpperCase() !== "DELTA") return;
            const properties = new Map(entries(table.properties).map(([k, v]) => [k, v]));
            const resource = subject(args.type, args.name);
            const retention = properties.get(retentionKey);
            const hours = typeof retention === "string" ? intervalHours(retention) : undefined;
            if (!isUnknown(retention) && (hours === undefined || hours < minRetentionHours)) {
                report(
                    violation({
                        resource,
                        what: `properties["${retentionKey}"]`,
                        found: retention === undefined ? "not set" : show(retention),
                        limit: `at least ${minRetentionHours} hours`,
                        fix: `set properties["${retentionKey}"] = "interval ${minRetentionHours} hours"`,
                    }),
                );
            }
            for (const [key, expected] of Object.entries(requiredProperties)) {
                const value = properties.get(key);
                if (isUnknown(value)) continue;
                if (typeof value === "string" && value.toLowerCase() === expected.toLowerCase()) continue;
                report(
                    violation({
                        resource,
                        what: `properties["${key}"]`,
                        found: value === undefined ? "not set" : show(value),
                        limit: show(expected),
                        fix: `set properties["${key}"] = "${expected}"`,
                    }),
                );
            }
        }),
        (args, report) => {
            const isQuery = isType(args, resourceTypes.query, resourceTypes.sqlQuery);
            if (!isQuery && !isType(args, resourceTypes.databricksCluster, resourceTypes.databricksJob)) {
                args.notApplicable("applies to Delta tables, queries, clusters and jobs");
            }
            const { minRetentionHours } = settings<Settings>(args, schema);
            const props = snapshot(args.props) as Record<string, unknown>;
            const resource = subject(args.type, args.name);
            if (isQuery) {
                const text = props.queryText ?? props.query;
                if (typeof text !== "string" || hasUnknown(text)) return;
                for (const hours of vacuumProblems(text, minRetentionHours)) {
                    report(
                        violation({
                            resource,
                            what: "VACUUM … RETAIN",
                            found: `${hours} HOURS`,
                            limit: `at least ${minRetentionHours} HOURS`,
                            fix: `use RETAIN ${minRetentionHours} HOURS (or leave RETAIN out to use the table's retention)`,
                        }),
                    );
                }
                return;
            }
            for (const { path, spec } of clusterSpecs(args.type, props)) {
                const check = entries(spec.sparkConf).find(([key]) => key === "spark.databricks.delta.retentionDurationCheck.enabled");
                if (check && String(check[1]).toLowerCase() === "false") {
                    report(
                        violation({
                            resource,
                            what: at(path, 'sparkConf["spark.databricks.delta.retentionDurationCheck.enabled"]'),
                            found: '"false" (VACUUM may go below the retention)',
                            limit: "the retention check left on",
                            fix: "remove the setting",
                        }),
                    );
                }
            }
        },
    ],
});
