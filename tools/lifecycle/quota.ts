/**
 * Whether the GPU quota a stack requests has been granted, for `migration promote --to 1`: a
 * Cloud Quotas preference is a request, and an A100 cluster started before the grant fails to
 * start. The requests are the `SQuotaPreference`s of the phase's graph (what the program files);
 * the granted values are read back through the Cloud Quotas API (`QuotaInfo`, the value in
 * force whichever way it was granted). Offline, without credentials or on an API error, a value
 * is unknown: reported, never taken as short.
 *
 * Credentials: an OAuth access token from `GOOGLE_OAUTH_ACCESS_TOKEN` (as the Google provider
 * reads it), else from `gcloud auth print-access-token`. The token is sent to the API only;
 * neither it nor a response body is printed.
 */
import { execFile } from "node:child_process";
import { qualifiedStackName } from "../engine/stackName";
import { GraphResource, ResourceGraph } from "../model/graph";
import { PlanError } from "../engine/plan";
import { runJobs } from "../engine/pool";
import { readProject } from "../engine/project";
import { phaseCapabilities } from "../../domain/targets";

/** The phase that first starts A100 clusters: promoting to it waits for the quota. */
export const quotaGatedPhase = phaseCapabilities.databricks;

const preferenceType = "gcp:cloudquota/sQuotaPreference:SQuotaPreference";

export interface QuotaRequest {
    /** The preference's logical name, e.g. `a100-quota-on-demand`. */
    resource: string;
    project: string;
    service: string;
    quotaId: string;
    /** The region a regional quota applies to; absent for a project-wide one. */
    region?: string;
    preferred: number;
}

export type Granted = { value: number } | { unknown: string };

export interface QuotaReader {
    granted(request: QuotaRequest): Promise<Granted>;
}

export interface QuotaState extends QuotaRequest {
    status: "covered" | "short" | "unknown";
    granted?: number;
    reason?: string;
}

/** The quota preferences a graph files; one whose inputs cannot be read is refused by name. */
export function quotaRequests(graph: ResourceGraph): QuotaRequest[] {
    return graph.resources.filter((r) => r.type === preferenceType && r.custom).map(requestOf);
}

function requestOf(r: GraphResource): QuotaRequest {
    const parent = /^projects\/([^/]+)$/.exec(String(r.inputs.parent ?? ""));
    const preferred = Number((r.inputs.quotaConfig as { preferredValue?: unknown } | undefined)?.preferredValue);
    const dimensions = (r.inputs.dimensions ?? {}) as Record<string, unknown>;
    if (!parent || typeof r.inputs.service !== "string" || typeof r.inputs.quotaId !== "string" || !Number.isFinite(preferred)) {
        throw new Error(`quota preference ${r.name}: expected a parent projects/<id>, a service, a quota ID and a numeric preferred value`);
    }
    return {
        resource: r.name,
        project: parent[1],
        service: r.inputs.service,
        quotaId: r.inputs.quotaId,
        ...(typeof dimensions.region === "string" ? { region: dimensions.region } : {}),
        preferred,
    };
}

/**
 * The quota states of the phase a promotion deploys: its graph evaluated offline (as the dry
 * run does), its preferences read back.
 */
export async function checkPhaseQuota(
    options: { cwd: string; stack: string; phaseKey: string },
    phase: number,
    reader: QuotaReader,
): Promise<QuotaState[]> {
    const project = readProject(options.cwd);
    const results = await runJobs([
        {
            id: "quota",
            projectDir: project.dir,
            stack: options.stack,
            overrides: { [options.phaseKey]: String(phase) },
            stackOutputs: { [qualifiedStackName(project.name, options.stack)]: { dataPhase: phase - 1 } },
        },
    ]);
    const result = results.get("quota")!;
    if (!result.ok) throw new PlanError(result.error, phase);
    return readQuotaStates(quotaRequests(result.graph), reader);
}

export async function readQuotaStates(requests: readonly QuotaRequest[], reader: QuotaReader): Promise<QuotaState[]> {
    return Promise.all(
        requests.map(async (request): Promise<QuotaState> => {
            let granted: Granted;
            try {
                granted = await reader.granted(request);
            } catch (err) {
                granted = { unknown: (err as Error).message };
            }
            if ("unknown" in granted) return { ...request, status: "unknown", reason: granted.unknown };
            // -1 is Cloud Quotas' "unlimited".
            const covered = granted.value === -1 || granted.value >= request.preferred;
            return { ...request, status: covered ? "covered" : "short", granted: granted.value };
        }),
    );
}

export function formatQuotaStates(states: readonly QuotaState[]): string {
    const where = (s: QuotaState) => `${s.quotaId}${s.region ? ` (${s.region})` : ""}`;
    const lines = [`quota: ${summary(states)}`];
    for (const s of states) {
        if (s.status === "unknown") lines.push(`  ? ${where(s)}: requested ${s.preferred}, granted unknown (${s.reason})`);
        else lines.push(`  ${s.status === "covered" ? "✓" : "✗"} ${where(s)}: requested ${s.preferred}, granted ${s.granted === -1 ? "unlimited" : s.granted}`);
    }
    return lines.join("\n") + "\n";
}

function summary(states: readonly QuotaState[]): string {
    if (states.length === 0) return "the phase requests no quota";
    const short = states.filter((s) => s.status === "short").length;
    const unknown = states.filter((s) => s.status === "unknown").length;
    if (short > 0) return `${short} of ${states.length} request(s) not granted yet`;
    if (unknown > 0) return `${unknown} of ${states.length} granted value(s) unknown (not refused; check them before the A100 clusters start)`;
    return "every request granted";
}

export function isShort(states: readonly QuotaState[]): boolean {
    return states.some((s) => s.status === "short");
}

/**
 * The granted value of a quota in a Cloud Quotas `QuotaInfo`: the entry for the region (or the
 * project-wide entry), else the default entry that applies to every location without its own.
 */
export function grantedFromQuotaInfo(info: unknown, region: string | undefined): number | undefined {
    const entries = (info as { dimensionsInfos?: unknown } | undefined)?.dimensionsInfos;
    if (!Array.isArray(entries)) return undefined;
    type Entry = { dimensions?: Record<string, string>; details?: { value?: string | number }; applicableLocations?: string[] };
    const list = entries as Entry[];
    const value = (e: Entry | undefined) => (e?.details?.value === undefined ? undefined : Number(e.details.value));
    const isDefault = (e: Entry) => Object.keys(e.dimensions ?? {}).length === 0;
    if (region === undefined) return value(list.find(isDefault));
    const own = list.find((e) => e.dimensions?.region === region);
    if (own) return value(own);
    return value(list.find((e) => isDefault(e) && (e.applicableLocations === undefined || e.applicableLocations.includes(region))));
}

export interface CloudQuotasReaderOptions {
    accessToken?: () => Promise<string | undefined>;
    fetch?: typeof fetch;
    timeoutMs?: number;
}

export const cloudQuotasEndpoint = "https://cloudquotas.googleapis.com/v1";

/** Reads granted values through the Cloud Quotas API. */
export function cloudQuotasReader(options: CloudQuotasReaderOptions = {}): QuotaReader {
    const token = options.accessToken ?? googleAccessToken;
    const doFetch = options.fetch ?? fetch;
    let cached: Promise<string | undefined> | undefined;
    return {
        async granted(request) {
            cached ??= token();
            const accessToken = await cached;
            if (!accessToken) return { unknown: "no Google credentials: set GOOGLE_OAUTH_ACCESS_TOKEN or log in with gcloud" };
            const url = `${cloudQuotasEndpoint}/projects/${encodeURIComponent(request.project)}/locations/global/services/${encodeURIComponent(
                request.service,
            )}/quotaInfos/${encodeURIComponent(request.quotaId)}`;
            let response: Response;
            try {
                response = await doFetch(url, {
                    headers: { authorization: `Bearer ${accessToken}`, "x-goog-user-project": request.project },
                    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
                });
            } catch (err) {
                return { unknown: `Cloud Quotas API unreachable (${(err as Error).name})` };
            }
            if (!response.ok) return { unknown: `Cloud Quotas API answered HTTP ${response.status}` };
            const value = grantedFromQuotaInfo(await response.json(), request.region);
            return value === undefined ? { unknown: "no value for the quota's location in the Cloud Quotas answer" } : { value };
        },
    };
}

async function googleAccessToken(): Promise<string | undefined> {
    const fromEnv = process.env.GOOGLE_OAUTH_ACCESS_TOKEN?.trim();
    if (fromEnv) return fromEnv;
    return new Promise((resolve) => {
        execFile("gcloud", ["auth", "print-access-token"], { timeout: 15_000 }, (error, stdout) => {
            resolve(error ? undefined : stdout.trim() || undefined);
        });
    });
}
