import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { MigrationComponent } from "../stateful";

export interface SavedQueryDefinition {
    key: string;
    displayName: string;
    description: string;
    queryText: pulumi.Input<string>;
}

export type AlertOperator = "GREATER_THAN" | "LESS_THAN";

export interface SqlAlertDefinition extends SavedQueryDefinition {
    /** The result column compared with the threshold (first row). */
    column: string;
    op: AlertOperator;
    threshold: number;
}

export interface SqlAlertsArgs {
    /** Workspace folder the queries and alerts live in, such as /Shared/cost_tracking. */
    folder: string;
    warehouseId: pulumi.Input<string>;
    /** Default catalog and schema of every query (unqualified table names resolve there). */
    catalog: pulumi.Input<string>;
    schema: pulumi.Input<string>;
    /** The e-mail notification destination the alerts notify. */
    destination: { displayName: string; emails: string[] };
    queries: SavedQueryDefinition[];
    alerts: SqlAlertDefinition[];
    /** Labels, as the queries' `key:value` tags. */
    tags: Record<string, string>;
}

/**
 * Databricks SQL objects of the cost tracking (seed "Cost Tracking"): saved queries, SQL alerts
 * (each over a query of its own) and the e-mail notification destination they notify. Alerts
 * have no schedule of their own in this API: a job evaluates them (`sqlTask.alert`), right after
 * it loads the data they read.
 */
export class SqlAlerts extends MigrationComponent {
    readonly folder: databricks.Directory;
    readonly destination: databricks.NotificationDestination;
    readonly queries: Record<string, databricks.Query>;
    readonly alerts: Record<string, { query: databricks.Query; alert: databricks.Alert }>;

    constructor(name: string, args: SqlAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(name, args);
        super("migration:databricks:SqlAlerts", name, {}, opts);
        const parent = { parent: this };

        this.folder = new databricks.Directory(`${name}-folder`, { path: args.folder }, parent);
        this.destination = new databricks.NotificationDestination(
            `${name}-destination`,
            { displayName: args.destination.displayName, config: { email: { addresses: args.destination.emails } } },
            parent,
        );
        const tags = Object.entries(args.tags).map(([key, value]) => `${key}:${value}`);
        const query = (definition: SavedQueryDefinition, resourceName: string) =>
            new databricks.Query(
                resourceName,
                {
                    displayName: definition.displayName,
                    description: definition.description,
                    queryText: definition.queryText,
                    warehouseId: args.warehouseId,
                    catalog: args.catalog,
                    schema: args.schema,
                    parentPath: this.folder.path,
                    // Alerts run the query as its owner, who can read the system tables and the catalog.
                    runAsMode: "OWNER",
                    applyAutoLimit: false,
                    tags,
                },
                parent,
            );

        this.queries = Object.fromEntries(args.queries.map((q) => [q.key, query(q, `${name}-${q.key}`)]));
        this.alerts = Object.fromEntries(
            args.alerts.map((a) => {
                const alertQuery = query(a, `${name}-${a.key}-query`);
                const alert = new databricks.Alert(
                    `${name}-${a.key}`,
                    {
                        displayName: a.displayName,
                        queryId: alertQuery.id,
                        parentPath: this.folder.path,
                        condition: {
                            op: a.op,
                            operand: { column: { name: a.column } },
                            threshold: { value: { doubleValue: a.threshold } },
                            // No row means nothing to judge (no costs loaded, no DBUs used): not an incident.
                            emptyResultState: "OK",
                        },
                        customSubject: `${a.displayName}: {{QUERY_RESULT_VALUE}}`,
                        notifyOnOk: true,
                        secondsToRetrigger: 0,
                    },
                    parent,
                );
                return [a.key, { query: alertQuery, alert }];
            }),
        );
        this.registerOutputs({
            queries: Object.fromEntries(Object.entries(this.queries).map(([k, q]) => [k, q.id])),
            alerts: Object.fromEntries(Object.entries(this.alerts).map(([k, a]) => [k, a.alert.id])),
        });
    }
}

function validate(name: string, args: SqlAlertsArgs): void {
    const problems: string[] = [];
    if (!/^\/(Shared|Workspace|Users)\//.test(args.folder)) problems.push(`folder ${JSON.stringify(args.folder)}: expected a workspace folder such as /Shared/cost_tracking`);
    if (args.destination.emails.length === 0) problems.push("destination.emails: expected at least one address");
    const keys = [...args.queries, ...args.alerts].map((q) => q.key);
    for (const key of keys) if (!/^[a-z][a-z0-9-]*$/.test(key)) problems.push(`key ${JSON.stringify(key)}: expected lowercase letters, digits or '-'`);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    if (twice.length > 0) problems.push(`keys defined twice: ${[...new Set(twice)].join(", ")}`);
    for (const a of args.alerts) {
        if (!Number.isFinite(a.threshold)) problems.push(`alert ${a.key} threshold ${a.threshold}: expected a number`);
        if (!/^[a-z_][a-z0-9_]*$/.test(a.column)) problems.push(`alert ${a.key} column ${JSON.stringify(a.column)}: expected a result column name`);
    }
    if (problems.length > 0) throw new Error(`SqlAlerts ${name}: ${problems.join("; ")}`);
}
