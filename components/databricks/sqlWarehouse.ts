import * as databricks from "@pulumi/databricks";
import * as pulumi from "@pulumi/pulumi";
import { costRules } from "../../domain/targets";
import { withDependencies } from "../dependencies";
import { AccessControl } from "../../domain/databricks/access";
import { warehouseSizes } from "../../domain/databricks/nodeTypes";
import { MigrationComponent } from "../stateful";

export interface SqlWarehouseArgs {
    warehouseName: string;
    clusterSize: string;
    autoStopMinutes: number;
    maxClusters: number;
    tags: Record<string, string>;
    /** Who may use or manage the warehouse; jobs' SQL tasks run on it as their run-as identity. */
    access: AccessControl[];
}

/**
 * The serverless SQL warehouse that creates and alters the Delta tables (managed `SqlTable`s
 * run their DDL on it), and runs the SQL maintenance notebook and cost queries. Serverless
 * starts in seconds, so it can stop after a few idle minutes; never later than the seed's
 * 30-minute idle rule.
 */
export class SqlWarehouse extends MigrationComponent {
    readonly warehouse: databricks.SqlEndpoint;
    /** The ID tables and SQL tasks pass as `warehouseId`. */
    readonly warehouseId: pulumi.Output<string>;
    readonly permissions: databricks.Permissions;

    constructor(name: string, args: SqlWarehouseArgs, opts?: pulumi.ComponentResourceOptions) {
        validate(name, args);
        super("migration:databricks:SqlWarehouse", name, {}, opts);

        this.warehouse = new databricks.SqlEndpoint(
            name,
            {
                name: args.warehouseName,
                clusterSize: args.clusterSize,
                enableServerlessCompute: true,
                // Serverless warehouses are PRO warehouses.
                warehouseType: "PRO",
                autoStopMins: args.autoStopMinutes,
                minNumClusters: 1,
                maxNumClusters: args.maxClusters,
                tags: { customTags: Object.entries(args.tags).map(([key, value]) => ({ key, value })) },
            },
            { parent: this },
        );
        this.warehouseId = this.warehouse.id;
        this.permissions = new databricks.Permissions(`${name}-permissions`, { sqlEndpointId: this.warehouse.id, accessControls: args.access }, {
            parent: this,
            // The component's dependsOn (the principals' workspace assignments) reaches the permissions this way only.
            dependsOn: withDependencies(`SqlWarehouse ${name}`, opts?.dependsOn, []),
        });
        this.registerOutputs({ warehouseId: this.warehouseId });
    }
}

function validate(name: string, args: SqlWarehouseArgs): void {
    const problems: string[] = [];
    const idle = costRules.databricks.clusterIdleTimeoutMinutes;
    if (!(warehouseSizes as readonly string[]).includes(args.clusterSize)) {
        problems.push(`clusterSize ${JSON.stringify(args.clusterSize)}: expected one of ${warehouseSizes.join(", ")}`);
    }
    if (!Number.isInteger(args.autoStopMinutes) || args.autoStopMinutes < 1 || args.autoStopMinutes > idle) {
        problems.push(`autoStopMinutes ${args.autoStopMinutes}: expected 1 to ${idle} (serverless stops when idle; 0 would never stop)`);
    }
    if (!Number.isInteger(args.maxClusters) || args.maxClusters < 1) problems.push(`maxClusters ${args.maxClusters}: expected an integer ≥ 1`);
    if (args.access.length === 0) problems.push("access: expected at least the identity whose jobs run SQL on the warehouse");
    if (problems.length > 0) throw new Error(`SqlWarehouse ${name}: ${problems.join("; ")}`);
}
