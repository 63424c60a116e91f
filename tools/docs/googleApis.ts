/**
 * The table of Google APIs (domain/gcp/googleApis.ts) as docs/pitfalls.md shows it: each
 * API, why the program needs it, and the resource types and functions that wait for it.
 */
import { apisByFunction, apisByResourceType, GoogleApi, googleApiNames, googleApis } from "../../domain/gcp/googleApis";

function usedBy(api: GoogleApi): string {
    const types = Object.entries(apisByResourceType)
        .filter(([, apis]) => apis.includes(api))
        .map(([type]) => `\`${type}\``);
    const functions = Object.entries(apisByFunction)
        .filter(([, apis]) => apis.includes(api))
        .map(([fn]) => `\`${fn}\` (function)`);
    return [...types, ...functions].join(", ") || "— (used at run time, not by a resource)";
}

export function googleApiTable(): string {
    const rows = googleApiNames.map((api) => `| \`${api}\` | ${googleApis[api]} | ${usedBy(api)} |`);
    return ["| API | why the program needs it | what waits for it |", "|---|---|---|", ...rows].join("\n");
}
