/** The pack matches resources by type token; each token is the one its SDK class carries. */
import * as databricks from "@pulumi/databricks";
import * as gcp from "@pulumi/gcp";
import { describe, expect, it } from "vitest";
import { resourceTypes } from "../../tools/model/resourceTypes";

const classes: Record<keyof typeof resourceTypes, object> = {
    gkeCluster: gcp.container.Cluster,
    gkeNodePool: gcp.container.NodePool,
    computeInstance: gcp.compute.Instance,
    alertPolicy: gcp.monitoring.AlertPolicy,
    budget: gcp.billing.Budget,
    databricksCluster: databricks.Cluster,
    databricksJob: databricks.Job,
    sqlEndpoint: databricks.SqlEndpoint,
    clusterPolicy: databricks.ClusterPolicy,
    sqlTable: databricks.SqlTable,
    query: databricks.Query,
    sqlQuery: databricks.SqlQuery,
    alert: databricks.Alert,
    sqlAlert: databricks.SqlAlert,
};

describe("resourceTypes", () => {
    it("are the SDK classes' own type tokens", () => {
        for (const [key, cls] of Object.entries(classes)) expect(resourceTypes[key as keyof typeof resourceTypes], key).toBe((cls as { __pulumiType?: string }).__pulumiType);
    });
});
