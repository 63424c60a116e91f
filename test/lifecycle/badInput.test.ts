import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

async function run(argv: string[], phase = 1) {
    const driver = new FakeDriver("dev", { "migration:phase": phase });
    const result = await cli(argv, fakeDeps(driver));
    return { ...result, driver };
}

describe("bad input exits 2 with the cause and changes nothing", () => {
    const dir = tempDir();
    it.each([
        [["promote", "--to", "x"], /--to x: expected an integer from 0 to 3/],
        [["promote", "--to", "9"], /--to 9: expected an integer from 0 to 3/],
        [["promote", "--to", "-1"], /--to/],
        [["promote"], /promote needs --to N/],
        [["rollback", "--to", "1"], /--to 1: the stack is at phase 1; a rollback goes to a lower phase \(0 to 0\)/],
        [["rollback", "--to", "2"], /a rollback goes to a lower phase/],
        [["rollback", "--gradual", "--to", "0"], /--to does not apply to rollback --gradual/],
        [["status", "--dry-run"], /--dry-run does not apply to status/],
        [["promote", "--to", "2", "--abort"], /--abort does not apply to promote/],
    ])("%j", async (argv, message) => {
        const result = await run([...argv, ...base(dir)]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.driver.calls).toEqual([]);
    });

    it("an unknown stack", async () => {
        for (const argv of [["promote", "--to", "1"], ["rollback"], ["rollback", "--gradual"], ["rollback", "--gradual", "--abort"], ["status"]]) {
            const result = await run([...argv, ...base(dir, "staging")]);
            expect(result.code).toBe(2);
            expect(result.stderr).toMatch(/unknown stack "staging": no Pulumi.staging.yaml in .* \(stacks: dev, prod\)/);
            expect(result.driver.calls).toEqual([]);
        }
    });

    it("a rollback at phase 0", async () => {
        const result = await run(["rollback", ...base(dir)], 0);
        expect(result.code).toBe(2);
        // A state error is one line, not the usage.
        expect(result.stderr).toBe("migration: the stack is at phase 0 (GCP only): there is nothing to roll back\n");
    });

    it("no --stack", async () => {
        const result = await run(["rollback", "--state-dir", dir]);
        expect(result.code).toBe(2);
        expect(result.stderr).toContain("rollback needs --stack NAME");
    });

    const files: [string, string, RegExp][] = [
        ["missing.json", "", /--results .*missing\.json: cannot read .* \(ENOENT\)/],
        ["broken.json", "{ phase: 1", /broken\.json are invalid: not JSON/],
        ["invalid.json", JSON.stringify({ phase: 1, metrics: { trainingThroughputt: 0.97 } }), /metrics\.trainingThroughputt: no such metric/],
        ["negative.json", JSON.stringify({ phase: "one", metrics: { totalCost: -1 } }), /phase = "one".*; metrics\.totalCost = -1/],
        ["header.csv", "name,score\ntotalCost,0.6", /the CSV header is "name,score"; expected "metric,value" or "metric,databricks,gcp"/],
        ["cells.csv", "metric,value\ntotalCost,cheap", /line 2 has "cheap" for totalCost; expected a decimal number such as 0\.97/],
    ];
    it.each(files)("results file %s", async (name, content, message) => {
        const file = path.join(dir, name);
        if (content) fs.writeFileSync(file, content);
        const result = await run(["promote", ...base(dir), "--to", "2", "--results", file]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(message);
        expect(result.driver.calls).toEqual([]);
    });

    it("an unreadable results file", async () => {
        if (process.getuid?.() === 0) return; // root reads any file
        const file = path.join(dir, "locked.json");
        fs.writeFileSync(file, "{}");
        fs.chmodSync(file, 0o000);
        const result = await run(["promote", ...base(dir), "--to", "2", "--results", file]);
        expect(result.code).toBe(2);
        expect(result.stderr).toMatch(/cannot read .*locked\.json \(EACCES\)/);
    });
});
