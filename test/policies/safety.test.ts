import { describe, expect, it } from "vitest";
import { gkePrivateNodes } from "../../policies/safety/gkePrivateNodes";
import { providerSecrets, sdkSecretInputs } from "../../policies/safety/providerSecrets";
import { noPublicIam } from "../../policies/safety/publicIam";
import { requiredLabels } from "../../policies/safety/requiredLabels";
import { statefulResourcesProtected } from "../../policies/safety/statefulProtected";
import { a100Cluster, deltaTable, gkeCluster, gpuPool, labels, trainingJob } from "./fixtures";
import { Fixture, runResourcePolicy, secret, unknown } from "./policyHarness";

const messages = (o: { violations: { message: string }[] }) => o.violations.map((v) => v.message);

describe("stateful-resources-protected", () => {
    const dataset = (protect: boolean): Fixture => ({
        type: "gcp:bigquery/dataset:Dataset",
        name: "cost-billing-export",
        props: { datasetId: "billing_export", labels },
        protect,
    });

    it("passes a protected dataset and table", async () => {
        expect(messages(await runResourcePolicy(statefulResourcesProtected, dataset(true)))).toEqual([]);
        expect(messages(await runResourcePolicy(statefulResourcesProtected, deltaTable({})))).toEqual([]);
    });

    it("flags an unprotected one; other types are not applicable", async () => {
        expect(messages(await runResourcePolicy(statefulResourcesProtected, dataset(false)))).toEqual([
            expect.stringContaining('gcp:bigquery/dataset:Dataset "cost-billing-export": protect is false; required: true for resources that hold data'),
        ]);
        expect((await runResourcePolicy(statefulResourcesProtected, gkeCluster())).notApplicable).toBe("not a stateful resource type");
    });
});

describe("gke-private-nodes", () => {
    it("passes a private cluster and a pool that inherits it", async () => {
        expect(messages(await runResourcePolicy(gkePrivateNodes, gkeCluster()))).toEqual([]);
        expect(messages(await runResourcePolicy(gkePrivateNodes, gpuPool("h100-spot", { spot: true, max: 1 })))).toEqual([]);
    });

    it("flags public nodes on the cluster and a pool that opts out", async () => {
        expect(messages(await runResourcePolicy(gkePrivateNodes, gkeCluster({ privateClusterConfig: undefined })))).toEqual([
            expect.stringContaining("privateClusterConfig.enablePrivateNodes is not set (nodes get public IPs)"),
        ]);
        const pool = gpuPool("h100-spot", { spot: true, max: 1 });
        pool.props.networkConfig = { enablePrivateNodes: false };
        expect(messages(await runResourcePolicy(gkePrivateNodes, pool))).toEqual([expect.stringContaining("networkConfig.enablePrivateNodes is false")]);
    });
});

describe("no-public-iam", () => {
    const member = (m: string): Fixture => ({
        type: "gcp:storage/bucketIAMMember:BucketIAMMember",
        name: "models-reader",
        props: { bucket: "acme-ml-models", role: "roles/storage.objectViewer", member: m },
    });

    it("passes a service-account grant", async () => {
        expect(messages(await runResourcePolicy(noPublicIam, member("serviceAccount:trainer@acme-ml.iam.gserviceaccount.com")))).toEqual([]);
    });

    it("flags allUsers members and public principals inside policy JSON", async () => {
        expect(messages(await runResourcePolicy(noPublicIam, member("allUsers")))).toEqual([
            expect.stringContaining("member is a grant to allUsers"),
        ]);
        const policy: Fixture = {
            type: "gcp:projects/iAMPolicy:IAMPolicy",
            name: "project",
            props: { project: "acme-ml", policyData: JSON.stringify({ bindings: [{ role: "roles/viewer", members: ["allAuthenticatedUsers"] }] }) },
        };
        expect(messages(await runResourcePolicy(noPublicIam, policy))).toEqual([expect.stringContaining("policyData is a grant to allAuthenticatedUsers")]);
    });
});

describe("provider-secrets", () => {
    const gcpProvider = (credentials: unknown, additionalSecretOutputs?: string[]): Fixture => ({
        type: "pulumi:providers:gcp",
        name: "gcp",
        props: { project: "acme-ml", credentials },
        additionalSecretOutputs,
    });

    it("reads which inputs the provider SDKs always encrypt", () => {
        expect([...sdkSecretInputs("pulumi:providers:databricks")]).toEqual(expect.arrayContaining(["token", "password", "clientSecret", "googleCredentials"]));
        expect(sdkSecretInputs("pulumi:providers:gcp").has("credentials")).toBe(false);
        expect(sdkSecretInputs("pulumi:providers:gcp").has("accessToken")).toBe(true);
    });

    it("passes declared-secret GCP credentials and the Databricks token the SDK encrypts", async () => {
        expect(messages(await runResourcePolicy(providerSecrets, gcpProvider(secret("{...key...}"), ["credentials", "accessToken"])))).toEqual([]);
        const databricksProvider: Fixture = { type: "pulumi:providers:databricks", name: "workspace", props: { host: "https://x.gcp.databricks.com", token: secret("dapi") } };
        expect(messages(await runResourcePolicy(providerSecrets, databricksProvider))).toEqual([]);
    });

    it("flags GCP credentials the analyzer cannot see as secret", async () => {
        expect(messages(await runResourcePolicy(providerSecrets, gcpProvider("{...key...}", ["accessToken"])))).toEqual([
            expect.stringContaining('pulumi:providers:gcp "gcp": credentials is set without a secret marking'),
        ]);
    });
});

describe("required-labels", () => {
    it("passes a labelled GKE cluster and Databricks cluster (customTags)", async () => {
        expect(messages(await runResourcePolicy(requiredLabels, gkeCluster()))).toEqual([]);
        expect(messages(await runResourcePolicy(requiredLabels, a100Cluster()))).toEqual([]);
    });

    it("flags missing keys, naming the label property", async () => {
        const { phase: _phase, workload: _workload, ...partial } = labels;
        expect(messages(await runResourcePolicy(requiredLabels, gkeCluster({ resourceLabels: partial })))).toEqual([
            expect.stringContaining('resourceLabels "phase", "workload" is missing; required: all of team, env, phase, workload, cost-center'),
        ]);
    });

    it("reads Databricks cluster labels from customTags", async () => {
        expect(messages(await runResourcePolicy(requiredLabels, a100Cluster({ customTags: { team: "ml-platform" } })))).toEqual([
            expect.stringContaining('customTags "env", "phase", "workload", "cost-center" is missing'),
        ]);
    });

    it("checks the customTags of a job's clusters", async () => {
        expect(messages(await runResourcePolicy(requiredLabels, trainingJob()))).toEqual([]);
        expect(messages(await runResourcePolicy(requiredLabels, trainingJob({ customTags: undefined })))).toEqual([
            expect.stringContaining('jobClusters[training].newCluster.customTags "team", "env", "phase", "workload", "cost-center" is missing (no jobClusters[training].newCluster.customTags)'),
        ]);
    });

    it("skips unknown labels and types without labels", async () => {
        expect(messages(await runResourcePolicy(requiredLabels, gkeCluster({ resourceLabels: unknown })))).toEqual([]);
        const account: Fixture = { type: "gcp:serviceaccount/account:Account", name: "nodes", props: { accountId: "nodes" } };
        expect((await runResourcePolicy(requiredLabels, account)).notApplicable).toBe("the resource type has no labels");
    });
});
