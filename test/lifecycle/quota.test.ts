import { describe, expect, it } from "vitest";
import { a100QuotaIds, allRegionsGpuQuotaId } from "../../domain/gcp/gpuQuota";
import {
    cloudQuotasEndpoint,
    cloudQuotasReader,
    formatQuotaStates,
    Granted,
    grantedFromQuotaInfo,
    QuotaReader,
    QuotaRequest,
    quotaRequests,
    readQuotaStates,
} from "../../tools/lifecycle/quota";
import { runStack } from "../harness";
import { base, cli, fakeDeps, FakeDriver, tempDir } from "./fakeDriver";

const ids = a100QuotaIds["a100-40gb"];

/** A reader answering from a table of granted values by quota ID. */
function reader(granted: Record<string, Granted>): QuotaReader {
    return { granted: async (r) => granted[r.quotaId] ?? { unknown: "not in the table" } };
}

const request = (quotaId: string, preferred: number, region?: string): QuotaRequest => ({
    resource: quotaId,
    project: "acme-ml-dev",
    service: "compute.googleapis.com",
    quotaId,
    preferred,
    ...(region ? { region } : {}),
});

describe("the quota requests of a phase", () => {
    it("are the program's quota preferences: the A100s of the region and the all-regions ceiling", async () => {
        const requests = quotaRequests(await runStack("dev", { "migration:phase": "1" }));
        expect(requests.map((r) => [r.quotaId, r.region, r.preferred]).sort()).toEqual(
            [
                [allRegionsGpuQuotaId, undefined, 27],
                [ids.onDemand, "us-central1", 3],
                [ids.preemptible, "us-central1", 16],
            ].sort(),
        );
        for (const r of requests) expect(r).toMatchObject({ project: "acme-ml-dev", service: "compute.googleapis.com" });
    });
});

describe("granted values", () => {
    const info = {
        quotaId: ids.onDemand,
        dimensionsInfos: [
            { dimensions: { region: "us-central1" }, details: { value: "16" }, applicableLocations: ["us-central1"] },
            { dimensions: {}, details: { value: "0" }, applicableLocations: ["us-east1", "europe-west4"] },
        ],
    };

    it("read the region's own entry, else the default entry for locations without one", () => {
        expect(grantedFromQuotaInfo(info, "us-central1")).toBe(16);
        expect(grantedFromQuotaInfo(info, "europe-west4")).toBe(0);
        expect(grantedFromQuotaInfo(info, "asia-east1")).toBeUndefined();
        expect(grantedFromQuotaInfo({ dimensionsInfos: [{ dimensions: {}, details: { value: "64" }, applicableLocations: ["global"] }] }, undefined)).toBe(64);
        expect(grantedFromQuotaInfo({ error: "nothing" }, "us-central1")).toBeUndefined();
    });

    it("judge each request: covered, short, unlimited or unknown, and never count unknown as short", async () => {
        const states = await readQuotaStates(
            [request(ids.onDemand, 3, "us-central1"), request(ids.preemptible, 8, "us-central1"), request(allRegionsGpuQuotaId, 19), request("OTHER", 1)],
            {
                granted: async (r) => {
                    if (r.quotaId === "OTHER") throw new Error("socket hang up");
                    return ({ [ids.onDemand]: { value: 4 }, [ids.preemptible]: { value: 0 }, [allRegionsGpuQuotaId]: { value: -1 } } as Record<string, Granted>)[r.quotaId];
                },
            },
        );
        expect(states.map((s) => s.status)).toEqual(["covered", "short", "covered", "unknown"]);
        const text = formatQuotaStates(states);
        expect(text).toContain("quota: 1 of 4 request(s) not granted yet");
        expect(text).toContain(`✗ ${ids.preemptible} (us-central1): requested 8, granted 0`);
        expect(text).toContain(`✓ ${allRegionsGpuQuotaId}: requested 19, granted unlimited`);
        expect(text).toContain("? OTHER: requested 1, granted unknown (socket hang up)");
    });
});

describe("the Cloud Quotas reader", () => {
    it("asks the QuotaInfo of the quota with the token, billed to the stack's project", async () => {
        const seen: { url: string; headers: Record<string, string> }[] = [];
        const fakeFetch = (async (url: string, init: { headers: Record<string, string> }) => {
            seen.push({ url, headers: init.headers });
            return new Response(JSON.stringify({ dimensionsInfos: [{ dimensions: { region: "us-central1" }, details: { value: "8" } }] }), { status: 200 });
        }) as unknown as typeof fetch;
        const quota = cloudQuotasReader({ accessToken: async () => "token-123", fetch: fakeFetch });
        expect(await quota.granted(request(ids.preemptible, 8, "us-central1"))).toEqual({ value: 8 });
        expect(seen).toEqual([
            {
                url: `${cloudQuotasEndpoint}/projects/acme-ml-dev/locations/global/services/compute.googleapis.com/quotaInfos/${ids.preemptible}`,
                headers: { authorization: "Bearer token-123", "x-goog-user-project": "acme-ml-dev" },
            },
        ]);
    });

    it("reports unknown, without the token, when offline, unauthorised or without credentials", async () => {
        const denied = cloudQuotasReader({ accessToken: async () => "secret-token", fetch: (async () => new Response("{}", { status: 403 })) as unknown as typeof fetch });
        const offline = cloudQuotasReader({
            accessToken: async () => "secret-token",
            fetch: (async () => {
                throw new TypeError("fetch failed");
            }) as unknown as typeof fetch,
        });
        const anonymous = cloudQuotasReader({ accessToken: async () => undefined });
        const results = [await denied.granted(request(ids.onDemand, 3)), await offline.granted(request(ids.onDemand, 3)), await anonymous.granted(request(ids.onDemand, 3))];
        expect(results).toEqual([
            { unknown: "Cloud Quotas API answered HTTP 403" },
            { unknown: "Cloud Quotas API unreachable (TypeError)" },
            { unknown: "no Google credentials: set GOOGLE_OAUTH_ACCESS_TOKEN or log in with gcloud" },
        ]);
        expect(JSON.stringify(results)).not.toContain("secret-token");
    });
});

describe("migration promote --to 1 and the quota", () => {
    it("reports the quota state on a dry run and fails it while a granted value is short", async () => {
        const driver = new FakeDriver("dev");
        const short = reader({ [ids.onDemand]: { value: 3 }, [ids.preemptible]: { value: 4 }, [allRegionsGpuQuotaId]: { unknown: "HTTP 403" } });
        const run = await cli(["promote", ...base(tempDir()), "--to", "1", "--dry-run"], { ...fakeDeps(driver), quotaReader: short });
        expect(run.code).toBe(1);
        expect(run.stdout).toContain("quota: 1 of 3 request(s) not granted yet");
        expect(run.stdout).toContain(`✗ ${ids.preemptible} (us-central1): requested 16, granted 4`);
        expect(run.stdout).toContain(`? ${allRegionsGpuQuotaId}: requested 27, granted unknown (HTTP 403)`);
        expect(driver.calls).toEqual([]);
    }, 240_000);

    it("refuses the promotion itself while a granted value is short: the phase is not raised, nothing is deployed", async () => {
        const driver = new FakeDriver("dev");
        const short = reader({ [ids.onDemand]: { value: 0 }, [ids.preemptible]: { value: 16 }, [allRegionsGpuQuotaId]: { value: 27 } });
        const run = await cli(["promote", ...base(tempDir()), "--to", "1"], { ...fakeDeps(driver), quotaReader: short });
        expect(run.code).toBe(1);
        expect(run.stderr).toContain("promotion to phase 1 refused: the GPU quota it needs is not granted yet");
        expect(run.stdout).toContain(`✗ ${ids.onDemand} (us-central1): requested 3, granted 0`);
        expect(driver.calls).toEqual([]);
        expect(driver.config["migration:phase"]).toBe("0");
    }, 240_000);
});
