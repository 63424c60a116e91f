/**
 * At preview, any value may be unknown. For every policy and each compliant fixture, every
 * property (leaf or subtree) is made unknown in turn: the policy must neither throw nor report
 * a violation for a value it cannot know yet.
 */
import { ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { deltaTableProperties, successGates } from "../../domain/targets";
import { packArgs } from "../../policies/all";
import { a100Cluster, budget, dataPrepCluster, deltaTable, gkeCluster, gpuAlert, gpuPool, labels, trainingJob, withApis } from "./fixtures";
import { specialSigKey } from "../../tools/model/graph";
import { Fixture, runResourcePolicy, runStackPolicy, secret, stackRoot, unknown } from "./policyHarness";

const resourceFixtures: Fixture[] = [
    a100Cluster(),
    dataPrepCluster(),
    trainingJob(),
    gkeCluster(),
    gpuPool("h100-spot", { spot: true, max: 5 }),
    // Not a released table: with its schema unknown, delta-schema-evolution matches by table name alone.
    deltaTable({ ...deltaTableProperties }, { name: "scratch_models" }),
    {
        type: "databricks:index/clusterPolicy:ClusterPolicy",
        name: "a100-policy",
        props: { name: "A100", definition: JSON.stringify({ autotermination_minutes: { type: "fixed", value: 30 } }) },
    },
    { type: "databricks:index/sqlEndpoint:SqlEndpoint", name: "wh", props: { name: "wh", autoStopMins: 10, tags: { customTags: Object.entries(labels).map(([key, value]) => ({ key, value })) } } },
    { type: "gcp:bigquery/dataset:Dataset", name: "billing", props: { datasetId: "billing_export", labels }, protect: true },
    {
        type: "pulumi:providers:gcp",
        name: "gcp",
        props: { project: "acme-ml", credentials: secret("key") },
        additionalSecretOutputs: ["credentials"],
    },
    {
        type: "gcp:storage/bucketIAMMember:BucketIAMMember",
        name: "reader",
        props: { bucket: "b", role: "roles/storage.objectViewer", member: "group:ml@example.com" },
    },
];

const stackFixtures: Fixture[] = withApis([
    stackRoot(3),
    gkeCluster(),
    gpuPool("h100-spot", { spot: true, max: 5 }),
    gpuPool("h100-on-demand", { spot: false, min: 1, max: 3 }),
    budget(30417),
    gpuAlert("gpu", 'metric.type="kubernetes.io/node/accelerator/duty_cycle" AND resource.labels.cluster_name="ml-gke"', 85),
]);

/** The gate judges the phase being left: a stack at phase 3 needs phase 2's results, each at its gate. */
const phase2ResultsAtGate = { phase: 2, metrics: Object.fromEntries(Object.entries(successGates).map(([name, gate]) => [name, gate.ratio])) };

/** Every path in a value, and the value with that path replaced by an unknown. */
function* withEachUnknown(props: Record<string, unknown>): Generator<[string, Record<string, unknown>]> {
    function* paths(value: unknown, prefix: (string | number)[]): Generator<(string | number)[]> {
        if (value === null || typeof value !== "object") return;
        // A secret is one value on the wire; its envelope is not a property.
        if (specialSigKey in value) return;
        for (const [key, child] of Object.entries(value)) {
            const path = [...prefix, Array.isArray(value) ? Number(key) : key];
            yield path;
            yield* paths(child, path);
        }
    }
    for (const path of paths(props, [])) {
        const copy = structuredClone(props);
        let target: any = copy;
        for (const key of path.slice(0, -1)) target = target[key];
        target[path[path.length - 1]] = unknown;
        yield [path.join("."), copy];
    }
}

const resourcePolicies = packArgs.policies.filter((p): p is ResourceValidationPolicy => "validateResource" in p);
const stackPolicies = packArgs.policies.filter((p): p is StackValidationPolicy => "validateStack" in p);

describe("preview-time unknown values", () => {
    it("the compliant fixtures pass every policy", async () => {
        for (const policy of resourcePolicies) {
            for (const fixture of resourceFixtures) {
                expect((await runResourcePolicy(policy, fixture)).violations, `${policy.name} on ${fixture.name}`).toEqual([]);
            }
        }
        const costRatio = { phase: 3, baseline: { monthlyUsd: 1_000_000, perTrainingUsd: 1_000 } };
        const atPhase3 = {
            "promotion-gate": { results: phase2ResultsAtGate },
            "cost-ratio-targets": costRatio,
            "cost-ratio-forecast": costRatio,
        };
        for (const policy of stackPolicies) {
            const config = (atPhase3 as Record<string, Record<string, unknown>>)[policy.name];
            expect((await runStackPolicy(policy, stackFixtures, { config })).violations, policy.name).toEqual([]);
        }
    });

    it("no resource policy throws or reports on an unknown value", async () => {
        let runs = 0;
        for (const policy of resourcePolicies) {
            for (const fixture of resourceFixtures) {
                for (const [path, props] of withEachUnknown(fixture.props)) {
                    const outcome = await runResourcePolicy(policy, { ...fixture, props });
                    expect(outcome.violations, `${policy.name} on ${fixture.name} with ${path} unknown`).toEqual([]);
                    runs++;
                }
            }
        }
        expect(runs).toBeGreaterThan(1000);
    });

    it("no stack policy throws or reports on an unknown value", async () => {
        const config = { results: phase2ResultsAtGate };
        // The cost-ratio policies need the baseline the CLI passes; with it, unknowns must not trip them.
        const costConfig = { phase: 3, baseline: { monthlyUsd: 1_000_000, perTrainingUsd: 1_000 } };
        const configFor = (name: string) =>
            name === "promotion-gate" ? { config } : name.startsWith("cost-ratio-") ? { config: costConfig } : {};
        for (const policy of stackPolicies) {
            for (let i = 0; i < stackFixtures.length; i++) {
                for (const [path, props] of withEachUnknown(stackFixtures[i].props)) {
                    const fixtures = stackFixtures.map((f, j) => (j === i ? { ...f, props } : f));
                    const outcome = await runStackPolicy(policy, fixtures, configFor(policy.name));
                    expect(outcome.violations, `${policy.name} with ${stackFixtures[i].name}.${path} unknown`).toEqual([]);
                }
            }
        }
    });
});
