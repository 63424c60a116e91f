import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { labelProperty } from "../../domain/labels";
import { evaluate, ProgramError } from "../../tools/engine/evaluate";
import { isSecretMarker, secretPlaceholder } from "../../tools/model/graph";
import { defaultProviderName } from "../../tools/engine/deployment";
import { knownOutputs } from "../../tools/engine/mockAnswers";
import { checkStackName, ProjectError, readProject, readStackConfig } from "../../tools/engine/project";
import { readUserAnswers, toUserAnswers } from "../../tools/engine/userAnswers";
import { unknownPlaceholder, unknownValue } from "../../tools/engine/wire";
import { byName, byType, runProgram } from "../harness";

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

    it("fails closed on a provider function it has no answer for, naming it and where to answer it", async () => {
        const awaited = await runProgram(async () => {
            await gcp.compute.getImage({ family: "debian-12", project: "debian-cloud" });
        }).catch((e) => e);
        expect(awaited).toBeInstanceOf(ProgramError);
        expect(awaited.message).toContain('provider function "gcp:compute/getImage:getImage" has no offline answer (called with family, project)');
        expect(awaited.message).toContain("migration.mocks.json");
        expect(awaited.message).not.toContain("tools/engine");
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

describe("what the engine refuses before any work", () => {
    function tempProject(files: Record<string, string>): string {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-project-"));
        for (const [name, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            fs.writeFileSync(path.join(dir, name), text);
        }
        return dir;
    }

    it("refuses a project of another runtime, naming it", () => {
        const python = tempProject({ "Pulumi.yaml": "name: py\nruntime: python\n" });
        expect(() => readProject(python)).toThrow(ProjectError);
        expect(() => readProject(python)).toThrow(/runtime = "python"; the offline engine runs Node\.js programs/);
        const object = tempProject({ "Pulumi.yaml": "name: js\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n" });
        expect(readProject(object).name).toBe("js");
        expect(() => readProject(tempProject({ "Pulumi.yaml": "name: none\n" }))).toThrow(/runtime is not set/);
    });

    it.each(["/../../x", "../dev", "a/b/c/dev", "acme/", "", "a b", "x".repeat(101), ".."])("refuses the stack name %j", (stack) => {
        expect(() => checkStackName(stack)).toThrow(ProjectError);
        expect(() => checkStackName(stack)).toThrow(`stack name ${JSON.stringify(stack)} is not valid`);
    });

    it("accepts the stack names Pulumi accepts", () => {
        for (const stack of ["dev", "prod-eu.1", "feature_x", "x".repeat(100)]) expect(checkStackName(stack)).toBe(stack);
        // Qualified as Pulumi Cloud users write them: the stack's own name is the last part.
        expect(checkStackName("acme/dev")).toBe("dev");
        expect(checkStackName("acme/demo/dev")).toBe("dev");
        const dir = tempProject({ "Pulumi.yaml": "name: demo\nruntime: nodejs\n" });
        expect(() => readStackConfig(readProject(dir), "/../../x")).toThrow(/stack name "\/\.\.\/\.\.\/x" is not valid/);
    });

    it("reads stack files from stackConfigDir and tells an ES-module project from its package.json", () => {
        const dir = tempProject({
            "Pulumi.yaml": "name: demo\nruntime: nodejs\nstackConfigDir: stacks\nmain: src/index.ts\n",
            "stacks/Pulumi.qa.yaml": "config:\n  demo:x: 1\n",
            "package.json": JSON.stringify({ type: "module" }),
        });
        const project = readProject(dir);
        expect(project.moduleKind).toBe("esm");
        expect(readStackConfig(project, "qa").values).toEqual({ "demo:x": "1" });
        expect(readProject(tempProject({ "Pulumi.yaml": "name: c\nruntime: nodejs\n" })).moduleKind).toBe("commonjs");
    });
});

describe("secure values at any depth", () => {
    it("masks every nested secure value and marks its whole key secret, as the CLI does", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-project-"));
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: demo\nruntime: nodejs\n");
        fs.writeFileSync(
            path.join(dir, "Pulumi.qa.yaml"),
            "config:\n  demo:db:\n    user: admin\n    password:\n      secure: v1:NESTED-CIPHERTEXT\n    replicas:\n      - secure: v1:LISTED-CIPHERTEXT\n  demo:plain:\n    secure: 3\n",
        );
        const { values, secretKeys } = readStackConfig(readProject(dir), "qa");
        expect(JSON.stringify(values)).not.toContain("CIPHERTEXT");
        expect(JSON.parse(values["demo:db"])).toEqual({ user: "admin", password: secretPlaceholder, replicas: [secretPlaceholder] });
        expect(secretKeys).toEqual(["demo:db"]);
        // `secure` that is not a string is an ordinary key.
        expect(JSON.parse(values["demo:plain"])).toEqual({ secure: 3 });
    });
});

describe("answers", () => {
    it("checks a project's answers file whole, naming every problem", () => {
        const error = (() => {
            try {
                toUserAnswers("/p/migration.mocks.json", { functions: { "not-a-token": {}, "gcp:x/getY:getY": 3 }, resource: {} });
            } catch (e) {
                return e as Error;
            }
            throw new Error("expected an error");
        })();
        expect(error).toBeInstanceOf(ProjectError);
        expect(error.message).toContain('"resource": unknown key; expected "functions" or "resources"');
        expect(error.message).toContain('functions."not-a-token": not a provider token');
        expect(error.message).toContain('functions."gcp:x/getY:getY" = 3: expected an object of outputs, or a function returning one');
    });

    it("turns \"[unknown]\" into a value a preview does not know, at any depth", () => {
        const answers = toUserAnswers("/p/migration.mocks.json", { functions: { "gcp:x/getY:getY": { a: "[unknown]", b: { c: ["[unknown]", 1] } } } });
        expect(answers.functions["gcp:x/getY:getY"]({})).toEqual({ a: unknownValue, b: { c: [unknownValue, 1] } });
    });

    it("refuses two answers files and names a file that does not parse", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "migration-answers-"));
        fs.writeFileSync(path.join(dir, "migration.mocks.json"), "{ nope");
        await expect(readUserAnswers(dir, async () => ({}))).rejects.toThrow(/migration\.mocks\.json is not valid JSON/);
        fs.writeFileSync(path.join(dir, "migration.mocks.ts"), "export default {}");
        await expect(readUserAnswers(dir, async () => ({}))).rejects.toThrow(/has migration\.mocks\.json and migration\.mocks\.ts: keep one answers file/);
    });

    it("answers the common provider functions from the call and the stack's config, unknown where only the cloud knows", async () => {
        const graph = await evaluate({
            project: "p",
            stack: "qa",
            config: { "gcp:project": "acme", "gcp:region": "europe-west1" },
            program: async () => {
                const client = await gcp.organizations.getClientConfig();
                const account = await gcp.serviceaccount.getAccount({ accountId: "deployer" });
                const network = gcp.compute.getNetworkOutput({ name: "default" });
                new gcp.pubsub.Topic("t", { labels: { region: client.region, email: account.email }, kmsKeyName: network.selfLink });
                new gcp.pubsub.Topic("u", { kmsKeyName: pulumi.output(client.accessToken) });
            },
        });
        const t = byName(graph, "gcp:pubsub/topic:Topic", "t");
        const u = byName(graph, "gcp:pubsub/topic:Topic", "u");
        expect(t.inputs).toEqual({
            labels: { region: "europe-west1", email: "deployer@acme.iam.gserviceaccount.com" },
            kmsKeyName: "https://www.googleapis.com/compute/v1/projects/acme/global/networks/default",
        });
        expect(u.inputs.kmsKeyName).toBe(unknownPlaceholder);
    });
});

describe("stack references and exports", () => {
    it("passes a stack reference only what a deployed stack would hold: known values", () => {
        expect(knownOutputs({ a: 1, b: unknownPlaceholder, c: { d: unknownPlaceholder, e: "x" }, f: [unknownPlaceholder, 2] })).toEqual({ a: 1, c: { e: "x" }, f: [2] });
    });

    it("names default providers as the engine does", () => {
        expect(defaultProviderName("9.37.0")).toBe("default_9_37_0");
        expect(defaultProviderName("v4.34.2")).toBe("default_4_34_2");
        expect(defaultProviderName("1.2.3-alpha.1+build.7")).toBe("default_1_2_3_alpha_1_build_7");
        expect(defaultProviderName(undefined)).toBe("default");
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
