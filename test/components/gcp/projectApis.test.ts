import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { googleApiNames } from "../../../domain/gcp/googleApis";
import { Network } from "../../../components/gcp/network";
import { ProjectApis } from "../../../components/gcp/projectApis";
import { byName, byType, runProgram } from "../../harness";

const networkArgs = { region: "us-central1", subnetCidr: "10.0.0.0/20", podsCidr: "10.4.0.0/14", servicesCidr: "10.8.0.0/20" };

describe("ProjectApis", () => {
    it("enables every API of the table, never disabling one on destroy", async () => {
        const graph = await runProgram(() => new ProjectApis("apis", { project: "acme-ml-dev" }));
        const services = byType(graph, "gcp:projects/service:Service");
        expect(services.map((s) => s.inputs.service)).toEqual(googleApiNames);
        for (const s of services) expect(s.inputs).toMatchObject({ project: "acme-ml-dev", disableOnDestroy: false, disableDependentServices: false });
    });

    it("makes each resource under a component wait for its type's APIs, keeping its own dependencies", async () => {
        const graph = await runProgram(() => {
            const apis = new ProjectApis("apis", { project: "acme-ml-dev" });
            new Network("ml", networkArgs, { transformations: [apis.dependencies] });
        });
        const compute = byName(graph, "gcp:projects/service:Service", "apis-compute").urn;
        const vpc = byName(graph, "gcp:compute/network:Network", "ml-vpc");
        const subnet = byName(graph, "gcp:compute/subnetwork:Subnetwork", "ml-subnet");
        expect(vpc.dependencies).toEqual([compute]);
        expect(subnet.dependencies).toEqual(expect.arrayContaining([compute, vpc.urn]));
        // The component itself is not a Google resource: it waits for nothing.
        expect(byName(graph, "migration:gcp:Network", "ml").dependencies).toEqual([]);
    });

    it("adds the APIs to a dependsOn given as one resource", async () => {
        const graph = await runProgram(() => {
            const apis = new ProjectApis("apis", { project: "acme-ml-dev" });
            const first = new gcp.pubsub.Topic("first", {});
            new gcp.pubsub.Topic("second", {}, { dependsOn: first, transformations: [apis.dependencies] });
        });
        const second = byName(graph, "gcp:pubsub/topic:Topic", "second");
        expect(second.dependencies).toEqual(
            expect.arrayContaining([byName(graph, "gcp:pubsub/topic:Topic", "first").urn, byName(graph, "gcp:projects/service:Service", "apis-pubsub").urn]),
        );
    });

    it("refuses a dependsOn it cannot extend without waiting, naming the resource", async () => {
        await expect(
            runProgram(() => {
                const apis = new ProjectApis("apis", { project: "acme-ml-dev" });
                const first = new gcp.pubsub.Topic("first", {});
                new gcp.pubsub.Topic("second", {}, { dependsOn: pulumi.output([first]), transformations: [apis.dependencies] });
            }),
        ).rejects.toThrow(/second: dependsOn is an Output or Promise/);
    });

    it("names the APIs of a provider function, and refuses one the table does not know", () => {
        let apis: ProjectApis | undefined;
        return runProgram(() => {
            apis = new ProjectApis("apis", { project: "acme-ml-dev" });
            expect(apis.servicesForFunction("gcp:organizations/getProject:getProject")).toEqual([apis.services["cloudresourcemanager.googleapis.com"]]);
            expect(() => apis!.servicesForFunction("gcp:compute/getZones:getZones")).toThrow(/not in apisByFunction \(domain\/gcp\/googleApis.ts\)/);
        });
    });

    it("refuses a project ID that is not one", async () => {
        await expect(runProgram(() => new ProjectApis("apis", { project: "Acme ML" }))).rejects.toThrow(/ProjectApis apis: project "Acme ML": expected a GCP project ID/);
    });
});
