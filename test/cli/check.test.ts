/**
 * `migration check` and the policy side of `plan`: the real pack started as its own process,
 * exit codes, violations in every format, and a pack that is missing, crashes or hangs.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../tools/cli/main";
import { analyzePlan } from "../../tools/pack/run";
import { projectPackDir, sharedPack } from "../sharedPack";
import { PlanReport } from "../../tools/report/report";
import { planStack } from "../../tools/engine/plan";
import { projectDir } from "../harness";

async function run(...argv: string[]) {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) }, undefined, { packs: sharedPack });
    return { code, stdout, stderr };
}

const stack = `broken${process.pid}`;
const stackFile = path.join(projectDir, `Pulumi.${stack}.yaml`);

beforeAll(() => {
    // A stack that breaks a cost rule: the GKE autoscaler keeps idle GPU nodes too long.
    const dev = fs.readFileSync(path.join(projectDir, "Pulumi.dev.yaml"), "utf8");
    fs.writeFileSync(stackFile, dev.replace("releaseChannel: REGULAR", "releaseChannel: REGULAR\n    autoscalingProfile: BALANCED"));
});
afterAll(() => fs.rmSync(stackFile, { force: true }));

describe("migration check with the project's pack", () => {
    it("passes every phase of dev: exit 0, no mandatory violation", async () => {
        const { code, stdout, stderr } = await run("check", "--stack", "dev", "--cwd", projectDir, "--format", "json");
        expect(stderr).toBe("");
        expect(code).toBe(0);
        const report = JSON.parse(stdout) as PlanReport;
        // The pack as it names itself, not its folder.
        expect(report.policyPack).toBe("gcp-databricks-migration");
        expect(report.phases.map((p) => p.phase)).toEqual([0, 1, 2, 3].slice(0, report.phases.length));
        for (const phase of report.phases) expect(phase.violations.filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
        // Seven evaluations and the pack's compile: minutes on a loaded two-core machine.
    }, 300_000);

    it("fails a stack that breaks a cost rule: exit 1, the rule named with the resource and the fix", async () => {
        const { code, stdout } = await run("check", "--stack", stack, "--phase", "0", "--cwd", projectDir, "--format", "sarif");
        expect(code).toBe(1);
        const sarif = JSON.parse(stdout);
        const results = sarif.runs[0].results as { ruleId: string; level: string; message: { text: string } }[];
        const autoscaling = results.filter((r) => r.ruleId === "gcp-databricks-migration/gke-gpu-autoscaling");
        expect(autoscaling.length).toBeGreaterThan(0);
        expect(autoscaling[0].level).toBe("error");
        expect(autoscaling[0].message.text).toMatch(/BALANCED/);
        expect(autoscaling[0].message.text).toMatch(/OPTIMIZE_UTILIZATION/);
        expect(sarif.runs[0].tool.driver.rules.map((r: { id: string }) => r.id)).toContain("gcp-databricks-migration/gke-gpu-autoscaling");
        // Located at the config key the finding names, in the stack file, relative to the repository root (the project is the root here).
        expect(autoscaling[0].message.text).toContain("migration:gke");
        const gkeLine = fs.readFileSync(stackFile, "utf8").split("\n").indexOf("  migration:gke:") + 1;
        expect(autoscaling[0]).toMatchObject({
            locations: [{ physicalLocation: { artifactLocation: { uri: `Pulumi.${stack}.yaml`, uriBaseId: "%SRCROOT%" }, region: { startLine: gkeLine } } }],
        });
        // A second run of the same input: the same findings with the same fingerprints.
        const again = JSON.parse((await run("check", "--stack", stack, "--phase", "0", "--cwd", projectDir, "--format", "sarif")).stdout);
        const fingerprints = (log: typeof sarif) => log.runs[0].results.map((r: { partialFingerprints: Record<string, string> }) => r.partialFingerprints["migrationFinding/v1"]);
        expect(fingerprints(again)).toEqual(fingerprints(sarif));
        expect(fingerprints(sarif).every((f: string) => /^[0-9a-f]{64}$/.test(f))).toBe(true);
    }, 300_000);
});

describe("one started pack across runs", () => {
    it("takes each run's policy config afresh: a level lowered in one run is back in the next", async () => {
        const config = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "migration-config-")), "policy.json");
        fs.writeFileSync(config, JSON.stringify({ "gke-gpu-autoscaling": "advisory" }));
        const args = ["check", "--stack", stack, "--phase", "0", "--cwd", projectDir, "--format", "json"];
        const lowered = await run(...args, "--policy-config", config);
        expect(lowered.code).toBe(0);
        const levels = (out: string) =>
            (JSON.parse(out) as PlanReport).phases.flatMap((p) => p.violations).filter((v) => v.policy === "gke-gpu-autoscaling").map((v) => v.enforcementLevel);
        expect(new Set(levels(lowered.stdout))).toEqual(new Set(["advisory"]));
        const again = await run(...args);
        expect(again.code).toBe(1);
        expect(new Set(levels(again.stdout))).toEqual(new Set(["mandatory"]));
    }, 300_000);
});

describe("this project's pack on programs that are not this project", () => {
    it("asks a GCP program for a daily cost alert, and a Kubernetes/AWS program for none", async () => {
        const packDir = projectPackDir;
        const pack = await sharedPack({ packDir });
        const verdicts = async (dir: string) => {
            const projectDirOf = path.join(projectDir, "test/fixtures", dir);
            const plan = await planStack({ projectDir: projectDirOf, stack: "dev", phaseKey: "migration:phase", previews: false });
            const violations = await analyzePlan(pack, plan, {
                projectDir: projectDirOf,
                stack: "dev",
                packDir,
                policyConfigKey: "migration:policyConfig",
                phaseKey: "migration:phase",
            });
            return [...violations.values()].flat();
        };
        const foreign = await verdicts("multi-cloud");
        expect(foreign.filter((v) => v.policy === "daily-cost-alert")).toEqual([]);
        const gcpOnly = await verdicts("plain-project");
        const [alert] = gcpOnly.filter((v) => v.policy === "daily-cost-alert");
        expect(alert).toMatchObject({ enforcementLevel: "mandatory" });
        expect(alert.message).toMatch(/Fix: add a gcp\.billing\.Budget .* \(in this project: the CostMonitoring component/);
    }, 400_000);
});

describe("a policy pack that cannot answer: exit 2, one message, no report", () => {
    const packs = path.join(projectDir, "test/fixtures/packs");

    // A crash is seen when the process exits, so its wait can be long; a hang is seen only when the wait ends.
    it.each([
        ["is missing", "missing", "3", /--policy-pack .*: no PulumiPolicy\.yaml/],
        ["crashes on start", "crashing", "120", /policy pack: the policy pack exited with code \d+ before serving[\s\S]*the pack is broken/],
        ["hangs", "hanging", "3", /policy pack: the policy pack did not print its port within 3000 ms/],
    ])("%s", async (_, name, timeout, message) => {
        const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "migration-out-")), "report.json");
        const { code, stderr } = await run(
            "check", "--stack", "dev", "--phase", "0", "--cwd", projectDir,
            "--policy-pack", path.join(packs, name), "--policy-timeout", timeout, "--out", out,
        );
        expect(code).toBe(2);
        expect(stderr).toMatch(message);
        expect(stderr.match(/^migration: /gm)).toHaveLength(1);
        expect(fs.existsSync(out)).toBe(false);
    }, 180_000);
});
