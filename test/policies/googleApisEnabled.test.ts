import { describe, expect, it } from "vitest";
import { googleApisEnabled } from "../../policies/pitfalls/googleApisEnabled";
import { Fixture, runStackPolicy, unknown } from "./policyHarness";

const messages = (o: { violations: { message: string }[] }) => o.violations.map((v) => v.message);

const service = (api: string, props: Record<string, unknown> = {}): Fixture => ({
    type: "gcp:projects/service:Service",
    name: `apis-${api.split(".")[0]}`,
    props: { project: "acme-ml-dev", service: api, disableOnDestroy: false, ...props },
});
const network = (dependsOn?: string[]): Fixture => ({
    type: "gcp:compute/network:Network",
    name: "ml-vpc",
    props: { autoCreateSubnetworks: false },
    dependsOn,
});

describe("gcp-apis-enabled", () => {
    it("passes a resource that waits for the service enabling its API", async () => {
        const outcome = await runStackPolicy(googleApisEnabled, [service("compute.googleapis.com"), network(["apis-compute"])]);
        expect(messages(outcome)).toEqual([]);
    });

    it("passes a resource that waits for its API through another resource", async () => {
        const subnet: Fixture = { type: "gcp:compute/subnetwork:Subnetwork", name: "ml-subnet", props: {}, propertyDependencies: { network: ["ml-vpc"] } };
        const outcome = await runStackPolicy(googleApisEnabled, [service("compute.googleapis.com"), network(["apis-compute"]), subnet]);
        expect(messages(outcome)).toEqual([]);
    });

    it("flags an API that the program does not enable", async () => {
        const outcome = await runStackPolicy(googleApisEnabled, [network()]);
        expect(messages(outcome)).toEqual([
            expect.stringContaining('gcp:compute/network:Network "ml-vpc": the API compute.googleapis.com is not enabled by this program'),
        ]);
        expect(outcome.violations[0].urn).toContain("ml-vpc");
    });

    it("flags a resource that is created without waiting for its enabled API", async () => {
        const outcome = await runStackPolicy(googleApisEnabled, [service("compute.googleapis.com"), network()]);
        expect(messages(outcome)).toEqual([
            expect.stringContaining('enabled by gcp:projects/service:Service "apis-compute", but the resource does not wait for it'),
        ]);
    });

    it("flags a GCP type the API table does not know, naming the file to extend", async () => {
        const secret: Fixture = { type: "gcp:secretmanager/secret:Secret", name: "token", props: {} };
        const outcome = await runStackPolicy(googleApisEnabled, [secret]);
        expect(messages(outcome)).toEqual([
            expect.stringMatching(/"token": its resource type is not in the table .* add "gcp:secretmanager\/secret:Secret" to apisByResourceType in domain\/gcp\/googleApis.ts/),
        ]);
    });

    it("holds the Databricks workspace to the APIs it uses in the project", async () => {
        const workspace: Fixture = { type: "databricks:index/mwsWorkspaces:MwsWorkspaces", name: "ml-workspace", props: {}, dependsOn: ["apis-compute"] };
        const outcome = await runStackPolicy(googleApisEnabled, [service("compute.googleapis.com"), workspace]);
        expect(messages(outcome)).toEqual([
            expect.stringContaining("the API iam.googleapis.com is not enabled"),
            expect.stringContaining("the API cloudresourcemanager.googleapis.com is not enabled"),
        ]);
    });

    it("flags a service that would disable its API on destroy, or leaves it to the provider default", async () => {
        for (const value of [true, undefined]) {
            const outcome = await runStackPolicy(googleApisEnabled, [service("compute.googleapis.com", { disableOnDestroy: value }), network(["apis-compute"])]);
            expect(messages(outcome)).toEqual([expect.stringContaining(`disableOnDestroy is ${value === undefined ? "not set" : "true"}; required: false`)]);
        }
    });

    it("skips what is not known at preview", async () => {
        const outcome = await runStackPolicy(googleApisEnabled, [service("compute.googleapis.com", { service: unknown, disableOnDestroy: unknown }), network()]);
        expect(messages(outcome)).toEqual([]);
    });

    it("does not apply to a stack without GCP resources", async () => {
        const outcome = await runStackPolicy(googleApisEnabled, [{ type: "databricks:index/job:Job", name: "job", props: {} }]);
        expect(outcome.notApplicable).toContain("no GCP resources");
    });
});
