import { configurationRows } from "../../tools/docs/configuration";

/** The documented config keys (`h100.spotShare`), for checks of docs that name them. */
export function configRowsByKey(): Set<string> {
    return new Set(configurationRows().map((r) => r.key));
}
