import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { labelProperty } from "../../components/labels";
import { evaluate, ProgramError } from "../../tools/engine/evaluate";
import { isSecretMarker, secretPlaceholder } from "../../tools/engine/graph";
import { ProjectError, readProject, readStackConfig } from "../../tools/engine/project";
import { byType, runProgram } from "../harness";

describe("recording monitor", () => {
    it("records parent, protect, retainOnDelete, dependencies, import id and provider", async () => {
        const graph = await runProgram(() => {
            const provider = new gcp.Provider("p", { project: "acme-ml" });
            const parent = new pulumi.ComponentResource("test:index:Group", "group");
            const topic = new gcp.pubsub.Topic("t", {}, { parent, provider, protect: true, retainOnDelete: true });
            new gcp.pubsub.Subscription("s", { topic: topic.name }, { parent, provider, import: "projects/acme-ml/subscriptions/s" });
        });
        const [provider] = byType(graph, "pulumi:providers:gcp");
        const [topic] = byType(graph, "gcp:pubsub/topic:Topic");
        const [subscription] = byType(graph, "gcp:pubsub/subscription:Subscription");
        const [group] = byType(graph, "test:index:Group");
        expect(topic).toMatchObject({ protect: true, retainOnDelete: true, parent: group.urn, custom: true, id: "t-id" });
        expect(topic.provider).toBe(`${provider.urn}::${provider.id}`);
        expect(subscription).toMatchObject({ protect: false, retainOnDelete: false, importId: "projects/acme-ml/subscriptions/s" });
        expect(subscription.dependencies).toEqual([topic.urn]);
        expect(subscription.propertyDependencies).toEqual({ topic: [topic.urn] });
        expect(group.custom).toBe(false);
    });

    it("keeps secrets out of the graph: inputs and outputs carry a marker, never the value", async () => {
        const graph = await runProgram(() => {
            const provider = new gcp.Provider("p", { project: "acme-ml", credentials: pulumi.secret("TOP-SECRET-KEY") });
            new gcp.pubsub.Topic("t", { labels: { token: pulumi.secret("TOP-SECRET-LABEL") } }, { provider });
            return { leaked: pulumi.secret("TOP-SECRET-OUTPUT") };
        });
        expect(JSON.stringify(graph)).not.toContain("TOP-SECRET");
        const [provider] = byType(graph, "pulumi:providers:gcp");
        expect(isSecretMarker(provider.inputs.credentials)).toBe(true);
        expect(isSecretMarker(graph.outputs.leaked)).toBe(true);
    });

    it("fails closed on a provider function it has no answer for, naming it", async () => {
        const awaited = await runProgram(async () => {
            await gcp.compute.getNetwork({ name: "default" });
        }).catch((e) => e);
        expect(awaited).toBeInstanceOf(ProgramError);
        expect(awaited.message).toContain('no answer for provider function "gcp:compute/getNetwork:getNetwork"');
    });

    it("refuses to run two programs at once in one process", async () => {
        const first = runProgram(() => {
            new gcp.pubsub.Topic("a", {});
        });
        await expect(runProgram(() => undefined)).rejects.toThrow(/another program is running/);
        await first;
    });

    it("answers an exception in the program with the stack named", async () => {
        const error = await evaluate({
            project: "p",
            stack: "qa",
            config: {},
            program: () => {
                throw new Error("boom");
            },
        }).catch((e) => e);
        expect(error).toBeInstanceOf(ProgramError);
        expect(error.message).toBe('the program failed for stack "qa": boom');
    });
});

describe("project reader", () => {
    function tempProject(files: Record<string, string>): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-project-"));
        for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
        return dir;
    }

    it("reads values as the CLI passes them: strings, JSON for structures, secure values masked", () => {
        const dir = tempProject({
            "Pulumi.yaml": "name: demo\nruntime: nodejs\nmain: src/index.ts\nconfig:\n  region:\n    default: eu\n  other:ns: 3\n",
            "Pulumi.qa.yaml":
                "config:\n  demo:size: 3\n  app:list: [1, 2]\n  app:token:\n    secure: AAABAKsomeciphertext\n  region: us\n",
        });
        const project = readProject(dir);
        expect(project).toMatchObject({ name: "demo", main: path.join(dir, "src/index.ts") });
        const config = readStackConfig(project, "qa");
        expect(config.values).toEqual({
            "demo:region": "us",
            "other:ns": "3",
            "demo:size": "3",
            "app:list": "[1,2]",
            "app:token": secretPlaceholder,
        });
        expect(config.secretKeys).toEqual(["app:token"]);
    });

    it("names what is missing: the project file, or the stack with the stacks that exist", () => {
        const empty = tempProject({});
        expect(() => readProject(empty)).toThrow(ProjectError);
        expect(() => readProject(empty)).toThrow(/no Pulumi.yaml in/);
        const dir = tempProject({ "Pulumi.yaml": "name: demo\nruntime: nodejs\n", "Pulumi.dev.yaml": "config: {}\n" });
        expect(() => readStackConfig(readProject(dir), "prod")).toThrow('unknown stack "prod": no Pulumi.prod.yaml');
        expect(() => readStackConfig(readProject(dir), "prod")).toThrow("(stacks: dev)");
    });
});

describe("labelProperty", () => {
    it("reads from the provider SDK which property carries a type's labels", () => {
        expect(labelProperty("gcp:pubsub/topic:Topic")).toBe("labels");
        expect(labelProperty("gcp:container/cluster:Cluster")).toBe("resourceLabels");
        expect(labelProperty("gcp:monitoring/notificationChannel:NotificationChannel")).toBe("userLabels");
        expect(labelProperty("databricks:index/cluster:Cluster")).toBe("customTags");
        expect(labelProperty("gcp:compute/network:Network")).toBeUndefined();
        expect(labelProperty("migration:gcp:Network")).toBeUndefined();
    });
});
