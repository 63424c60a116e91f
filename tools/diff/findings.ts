/**
 * Policy findings before and after a change: new, fixed and unchanged.
 *
 * A finding is the same on both sides when its policy, resource and enforcement level are:
 * its message may differ (it carries the values found, which the change may move), and the
 * one after is reported. A finding whose level rose from advisory to mandatory is new, since
 * it now blocks a deployment. Several findings of one policy on one resource are matched by
 * message first, then in order.
 */
import { Violation } from "../report/report";

export interface FindingsDiff {
    new: Violation[];
    fixed: Violation[];
    unchanged: Violation[];
}

function keyOf(v: Violation): string {
    return JSON.stringify([v.policyPack, v.policy, v.urn ?? null, v.enforcementLevel]);
}

function group(violations: readonly Violation[]): Map<string, Violation[]> {
    const groups = new Map<string, Violation[]>();
    for (const v of violations) groups.set(keyOf(v), [...(groups.get(keyOf(v)) ?? []), v]);
    return groups;
}

export function diffFindings(before: readonly Violation[], after: readonly Violation[]): FindingsDiff {
    const result: FindingsDiff = { new: [], fixed: [], unchanged: [] };
    const old = group(before);
    for (const [key, now] of group(after)) {
        const was = [...(old.get(key) ?? [])];
        old.delete(key);
        const rest: Violation[] = [];
        for (const v of now) {
            const same = was.findIndex((w) => w.message === v.message);
            if (same >= 0) {
                was.splice(same, 1);
                result.unchanged.push(v);
            } else {
                rest.push(v);
            }
        }
        for (const v of rest) {
            if (was.length > 0) {
                was.shift();
                result.unchanged.push(v);
            } else {
                result.new.push(v);
            }
        }
        result.fixed.push(...was);
    }
    for (const was of old.values()) result.fixed.push(...was);
    return result;
}
