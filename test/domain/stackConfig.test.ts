import { describe, expect, it } from "vitest";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, parseStackConfigKeys } from "../../domain/stackConfig";
import { stackType } from "../../tools/model/graph";
import { ProgramError } from "../../tools/engine/evaluate";
import { configProblems, parseStack, runStack } from "../harness";

describe("stack config", () => {
    it("parses both stacks with their sizes and the schema's defaults", () => {
        const dev = parseStack("dev", {});
        expect(dev.phase).toBe(0);
        expect(dev.environment).toBe("dev");
        expect(dev.h100).toMatchObject({ minNodes: 0, maxNodes: 1, spotShare: 1, machineType: "a3-highgpu-8g" });
        expect(dev.costMonitoring.dailyCostAlertUsd).toBe(1000);
        expect(dev.network.subnetCidr).toBe("10.10.0.0/20");

        const prod = parseStack("prod", {});
        expect(prod.h100).toMatchObject({ minNodes: 2, maxNodes: 8, spotShare: 0.6, compactPlacement: true });
        expect(prod.gke.deletionProtection).toBe(true);
        expect(prod.c4a.diskType).toBe("hyperdisk-balanced");
    });

    it.each([
        ["migration:phase", "7", "an integer from 0 to 3"],
        ["migration:phase", "1.5", "an integer from 0 to 3"],
        ["migration:phase", "two", "an integer from 0 to 3"],
        ["migration:h100", JSON.stringify({ minNodes: -1 }), "an integer ≥ 0"],
        ["migration:h100", JSON.stringify({ spotShare: 1.2 }), "a number from 0 to 1"],
        ["migration:h100", JSON.stringify({ spotShare: -0.1 }), "a number from 0 to 1"],
        ["migration:h100", JSON.stringify({ machineType: "a2-highgpu-8g" }), 'one of "a3-highgpu-1g"'],
        ["migration:c4a", JSON.stringify({ diskType: "pd-balanced" }), 'one of "hyperdisk-balanced"'],
        ["migration:region", "US Central", "a GCP region such as us-central1"],
        ["migration:performanceBaseline", JSON.stringify({ schedule: "@weekly" }), "five cron fields, in UTC"],
        ["migration:performanceBaseline", JSON.stringify({ image: "PyTorch Latest" }), "a container image with Python 3, PyTorch and CUDA"],
        ["migration:gke", JSON.stringify({ kubernetesEndpoint: "private" }), 'one of "dns", "ip"'],
    ])("rejects %s = %s, saying what is accepted", (key, value, accepted) => {
        const problems = configProblems(() => parseStack("dev", { [key]: value }));
        expect(problems).toHaveLength(1);
        expect(problems[0].key.startsWith(key)).toBe(true);
        expect(problems[0].accepted).toContain(accepted);
    });

    it("reads only the keys asked for, validated as the full parse validates them, the rest unread", () => {
        // A stack file of another schema version: a key this one requires is missing, an unknown one present.
        const raw = { stack: "dev", secretKeys: new Set<string>(), values: { "migration:phase": "2", "migration:retired": "x" } };
        expect(() => parseStackConfig(raw)).toThrow(ConfigError);
        const { phase, cost } = parseStackConfigKeys(raw, ["phase", "cost"]);
        expect(phase).toBe(2);
        expect(cost.hoursPerMonth).toBe(730);
        const bad = { ...raw, values: { ...raw.values, "migration:cost": JSON.stringify({ hoursPerMonth: -1 }) } };
        const [problem] = configProblems(() => parseStackConfigKeys(bad, ["phase", "cost"]));
        expect(problem).toMatchObject({ key: "migration:cost.hoursPerMonth", value: "-1" });
    });

    it("names the nested key and the value found", () => {
        const [problem] = configProblems(() => parseStack("dev", { "migration:h100": JSON.stringify({ maxNodes: -3 }) }));
        expect(problem).toEqual({ key: "migration:h100.maxNodes", value: "-3", accepted: "an integer ≥ 1" });
    });

    it("rejects a missing project, naming the key", () => {
        const [problem] = configProblems(() => parseStack("dev", {}, ["migration:gcpProject"]));
        expect(problem.key).toBe("migration:gcpProject");
        expect(problem.value).toBe("(not set)");
        expect(problem.accepted).toMatch(/GCP project ID/);
    });

    it("lists every bad key in one error", () => {
        let message = "";
        try {
            parseStack("prod", {
                "migration:phase": "7",
                "migration:h100": JSON.stringify({ minNodes: -1, spotShare: 2 }),
                "migration:costMonitoring": JSON.stringify({ billingAccount: "nope", notificationEmails: ["not-an-email"] }),
            });
        } catch (err) {
            message = (err as Error).message;
        }
        expect(message).toMatch(/Invalid config for stack "prod" \(5 problems\)/);
        for (const key of [
            "migration:phase = 7",
            "migration:h100.minNodes = -1",
            "migration:h100.spotShare = 2",
            'migration:costMonitoring.billingAccount = "nope"',
            'migration:costMonitoring.notificationEmails[0] = "not-an-email"',
        ]) {
            expect(message).toContain(key);
        }
    });

    it("rejects unknown keys at the top level and inside groups (typos)", () => {
        const problems = configProblems(() =>
            parseStack("dev", { "migration:phse": "1", "migration:h100": JSON.stringify({ maxNode: 3 }) }),
        );
        expect(problems.map((p) => p.key).sort()).toEqual(["migration:h100.maxNode", "migration:phse"]);
        expect(problems.every((p) => p.accepted.startsWith("no such key"))).toBe(true);
    });

    it("refuses keys in the project's own namespace, pointing at migration:*", () => {
        // `pulumi config set phase 2` writes gcp-databricks-migration:phase, which the program never reads.
        const problems = configProblems(() => parseStack("dev", { "gcp-databricks-migration:phase": "2", "gcp-databricks-migration:colour": "blue" }));
        expect(problems).toEqual([
            {
                key: "gcp-databricks-migration:phase",
                value: '"2"',
                accepted: expect.stringMatching(/^a key in the migration: namespace, which this program reads .*; set migration:phase instead \(pulumi config set migration:phase …\)/),
            },
            { key: "gcp-databricks-migration:colour", value: '"blue"', accepted: expect.stringContaining("known keys are migration:") },
        ]);
    });

    it("checks bounds that span keys", () => {
        const problems = configProblems(() =>
            parseStack("dev", {
                "migration:c4a": JSON.stringify({ minNodes: 5, maxNodes: 2 }),
                "migration:gpuZones": JSON.stringify(["europe-west4-a"]),
            }),
        );
        expect(problems.map((p) => p.key).sort()).toEqual(["migration:c4a.minNodes", "migration:gpuZones[0]"]);
    });

    it("requires credentials to be secret and never prints them", () => {
        const leaked = '{"type":"service_account","private_key":"-----BEGIN"}';
        const [plain] = configProblems(() => parseStack("dev", { "migration:gcpCredentials": leaked }));
        expect(plain.key).toBe("migration:gcpCredentials");
        expect(plain.accepted).toContain("--secret");
        expect(JSON.stringify(plain)).not.toContain("private_key");

        const parsed = parseStack("dev", { "migration:gcpCredentials": leaked }, [], ["migration:gcpCredentials"]);
        expect(parsed.gcpCredentials).toBe(leaked);
    });

    it("fails the program before it registers any resource", async () => {
        const error = await runStack("dev", { "migration:phase": "7", "migration:h100": { spotShare: 3 } }).catch((e) => e);
        expect(error).toBeInstanceOf(ProgramError);
        expect(error.message).toContain("migration:phase = 7");
        expect(error.message).toContain("migration:h100.spotShare = 3");
        // Pulumi registers the root stack resource before the program runs; nothing else may follow.
        // The program turns the parser's ConfigError into a RunError: shown without a stack trace.
        expect(pulumi.RunError.isInstance((error as ProgramError).cause)).toBe(true);
        expect((error as ProgramError).registered.map((r) => r.type)).toEqual([stackType]);
    });
});
