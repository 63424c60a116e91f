/**
 * A command reads its stack file once (tools/engine/session.ts), and every step that used to
 * re-read it from a (projectDir, stack) pair takes the same values from the session; a missing
 * or broken stack file still fails with the loader's message naming the file.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { costInputsForStack } from "../../tools/cost/stackAssumptions";
import { ProjectError, readProject, readStackConfig } from "../../tools/engine/project";
import { openStackSession, policyConfigKeyFor, StackFileReader, stackFileReader } from "../../tools/engine/session";
import { sessionOnce } from "../../tools/lifecycle/context";
import { configFileDriver } from "../../tools/lifecycle/driver";
import { stackPolicyConfig } from "../../tools/pack/config";
import { projectDir } from "../harness";

const temps: string[] = [];
afterEach(() => {
    for (const dir of temps.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of this project's Pulumi.yaml and stack files in a temporary folder. */
function copyOfProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-test-"));
    temps.push(dir);
    for (const file of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml"]) fs.copyFileSync(path.join(projectDir, file), path.join(dir, file));
    return dir;
}

function countingReader(): StackFileReader & { projectReads: number; stackReads: number } {
    const reader = {
        projectReads: 0,
        stackReads: 0,
        readProject: (dir: string) => {
            reader.projectReads++;
            return stackFileReader.readProject(dir);
        },
        readStackConfig: (...args: Parameters<StackFileReader["readStackConfig"]>) => {
            reader.stackReads++;
            return stackFileReader.readStackConfig(...args);
        },
    };
    return reader;
}

function errorOf(work: () => unknown): Error {
    try {
        work();
    } catch (err) {
        return err as Error;
    }
    throw new Error("expected an error");
}

describe("a stack session", () => {
    it.each(["dev", "prod"])("holds what %s's stack file says, as the loader reads it", (stack) => {
        const session = openStackSession(projectDir, stack);
        const { values, secretKeys } = readStackConfig(readProject(projectDir), stack);
        expect(session.values).toEqual(values);
        expect(session.secretKeys).toEqual(secretKeys);
        expect(session.project).toEqual(readProject(projectDir));
        expect(session.stackFile).toBe(path.join(projectDir, `Pulumi.${stack}.yaml`));
        expect(session.phaseKey).toBe("migration:phase");
        expect(session.phaseValue).toBe(values["migration:phase"]);
        expect(session.policyConfigKey).toBe("migration:policyConfig");
        expect(policyConfigKeyFor("acme:phase")).toBe("acme:policyConfig");
    });

    it("reads the project and the stack file once, however many steps use it", () => {
        const reader = countingReader();
        const session = openStackSession(projectDir, "prod", {}, reader);
        const before = { policy: stackPolicyConfig({ projectDir, stack: "prod", policyConfigKey: "migration:policyConfig" }), cost: costInputsForStack(projectDir, "prod") };
        expect(stackPolicyConfig({ session })).toEqual(before.policy);
        expect(costInputsForStack(session)).toEqual(before.cost);
        expect(costInputsForStack(session)).toEqual(before.cost);
        expect(reader).toMatchObject({ projectReads: 1, stackReads: 1 });
    });

    it("gives its steps the values it was opened with, without the file", async () => {
        const dir = copyOfProject();
        const session = openStackSession(dir, "dev");
        const expected = { policy: stackPolicyConfig({ session }), cost: costInputsForStack(session) };
        fs.rmSync(path.join(dir, "Pulumi.dev.yaml"));
        expect(stackPolicyConfig({ session })).toEqual(expected.policy);
        expect(costInputsForStack(session)).toEqual(expected.cost);
        expect(await configFileDriver(session).getConfig("migration:phase")).toBe(session.phaseValue);
        // The (projectDir, stack) path reads the file, and now finds none.
        expect(() => costInputsForStack(dir, "dev")).toThrow(/unknown stack "dev": no Pulumi\.dev\.yaml/);
    });

    it("is opened once per lifecycle command: every use gets the same session", () => {
        const dir = copyOfProject();
        const session = sessionOnce(dir, "dev", "migration:phase");
        const first = session();
        fs.rmSync(path.join(dir, "Pulumi.dev.yaml"));
        expect(session()).toBe(first);
    });

    it("is frozen: a step cannot change what the next one sees", () => {
        const session = openStackSession(projectDir, "dev");
        expect(Object.isFrozen(session.values)).toBe(true);
        const inputs = costInputsForStack(session, { "migration:cost": {} });
        expect(inputs.stack).toBe("dev");
        expect(session.values["migration:cost"]).toBe(openStackSession(projectDir, "dev").values["migration:cost"]);
    });
});

describe("a stack session on bad input", () => {
    it("refuses a missing stack file with the loader's message, naming the file", () => {
        const dir = copyOfProject();
        const error = errorOf(() => openStackSession(dir, "staging"));
        expect(error).toBeInstanceOf(ProjectError);
        expect(error.message).toBe(errorOf(() => readStackConfig(readProject(dir), "staging")).message);
        expect(error.message).toBe(`unknown stack "staging": no Pulumi.staging.yaml in ${dir} (stacks: dev, prod)`);
    });

    it("refuses a stack file that is not YAML, naming the file", () => {
        const dir = copyOfProject();
        const file = path.join(dir, "Pulumi.dev.yaml");
        fs.writeFileSync(file, "config:\n  migration:phase: [0\n");
        const error = errorOf(() => openStackSession(dir, "dev"));
        expect(error).toBeInstanceOf(ProjectError);
        expect(error.message).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} is not valid YAML: `));
        expect(error.message).toBe(errorOf(() => readStackConfig(readProject(dir), "dev")).message);
    });

    it("refuses a folder without Pulumi.yaml", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "session-test-"));
        temps.push(dir);
        expect(() => openStackSession(dir, "dev")).toThrow(`no Pulumi.yaml in ${dir}: not a Pulumi project directory`);
    });
});
