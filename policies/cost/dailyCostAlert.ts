/**
 * Seed "Monitoring Setup": alert at $1K/day. It applies to a stack that GCP or Databricks bills
 * for (a resource of either provider); a stack of only other clouds' or Kubernetes resources
 * has no such bill to alert on. Either kind of alert satisfies it:
 * - a Cloud Billing budget with at least one threshold rule, whose amount is at most the daily
 *   limit over its period (the budget API has no daily period: a month is 365/12 days, as the
 *   cost-monitoring component sizes it);
 * - a Databricks SQL alert on cost (its name or query is about cost) that fires above a value
 *   no higher than the daily limit.
 */
import { PolicyResource } from "@pulumi/policy";
import { daysPerMonth } from "../../domain/calendar";
import { costRules } from "../../domain/targets";
import { configSchema, settings } from "../lib/config";
import { packageOf } from "../../tools/model/graph";
import { fix, subject, violation } from "../lib/messages";
import { stackPolicy } from "../lib/policy";
import { isType, resourceTypes } from "../../tools/model/resourceTypes";
import { asNumber, hasUnknown, isUnknown, known, snapshot, Unknown } from "../../tools/model/values";

const schema = configSchema({
    maxDailyCostUsd: {
        type: "number",
        exclusiveMinimum: 0,
        default: costRules.dailyCostAlertUsd,
        description: "Highest daily cost, in USD, at which an alert must fire (seed alerts.cost_threshold).",
    },
});

const periodDays: Record<string, number> = { MONTH: daysPerMonth, QUARTER: 365 / 4, YEAR: 365 };

type Verdict = { ok: true } | { ok: false; reason: string } | { ok: "unknown" };

function budgetVerdict(props: Record<string, unknown>, maxDaily: number): Verdict {
    if (hasUnknown(props.amount) || hasUnknown(props.thresholdRules) || isUnknown(props.budgetFilter)) return { ok: "unknown" };
    const calendarPeriod = known(props.budgetFilter as Record<string, unknown> | undefined)?.calendarPeriod;
    if (isUnknown(calendarPeriod)) return { ok: "unknown" };
    const amount = known(props.amount as Record<string, unknown> | undefined);
    if (amount?.lastPeriodAmount === true) return { ok: false, reason: "its amount follows last period's spend (no fixed limit)" };
    const specified = known(amount?.specifiedAmount as Record<string, unknown> | undefined);
    const units = asNumber(specified?.units);
    if (units === undefined) return { ok: false, reason: "it has no specified amount" };
    const rules = Array.isArray(props.thresholdRules) ? props.thresholdRules : [];
    if (rules.length === 0) return { ok: false, reason: "it has no threshold rule, so it never alerts" };
    const period = String(calendarPeriod ?? "MONTH");
    const days = periodDays[period];
    if (days === undefined) return { ok: false, reason: `its period (${period}) is not a calendar period the policy can scale` };
    // Budgets are whole units; the component rounds the scaled limit, so the same rounding is allowed here.
    const allowed = Math.round(maxDaily * days);
    if (units > allowed) {
        return {
            ok: false,
            reason: `${units} ${String(specified?.currencyCode ?? "USD")} per ${period.toLowerCase()} is $${Math.round(units / days)}/day, above ${allowed} per ${period.toLowerCase()}`,
        };
    }
    return { ok: true };
}

const costText = /cost|spend|billing/i;

/** Providers whose resources GCP (Databricks on GCP through its marketplace) bills for. */
const billedPackages = ["gcp", "databricks"];

/** The query text behind a Databricks alert, from the query resource its `queryId` comes from. */
function queryText(alert: PolicyResource): string | Unknown | undefined {
    for (const query of alert.propertyDependencies["queryId"] ?? []) {
        const props = snapshot(query.props) as Record<string, unknown>;
        const text = props.queryText ?? props.query;
        if (isUnknown(text)) return text;
        if (typeof text === "string") return text;
    }
    return undefined;
}

function databricksAlertVerdict(alert: PolicyResource, maxDaily: number): Verdict | undefined {
    const props = snapshot(alert.props) as Record<string, unknown>;
    const text = queryText(alert);
    let op: unknown;
    let threshold: unknown;
    let name: unknown;
    if (isType(alert, resourceTypes.alert)) {
        const condition = known(props.condition as Record<string, unknown> | Unknown);
        op = condition?.op;
        const value = known(known(condition?.threshold as Record<string, unknown> | Unknown)?.value as Record<string, unknown> | Unknown);
        threshold = value?.doubleValue ?? value?.stringValue;
        name = props.displayName;
    } else {
        const options = known(props.options as Record<string, unknown> | Unknown);
        op = options?.op;
        threshold = options?.value;
        name = props.name;
    }
    if (isUnknown(name) || isUnknown(text)) return { ok: "unknown" };
    const aboutCost = costText.test(String(name ?? "")) || (typeof text === "string" && costText.test(text));
    if (!aboutCost) return undefined;
    if (isUnknown(op) || isUnknown(threshold)) return { ok: "unknown" };
    if (!["GREATER_THAN", "GREATER_THAN_OR_EQUAL", ">", ">="].includes(String(op))) {
        return { ok: false, reason: `it fires on ${String(op)}, not on cost rising above a limit` };
    }
    const limit = asNumber(threshold);
    if (limit === undefined) return { ok: false, reason: "it has no numeric threshold" };
    if (limit > maxDaily) return { ok: false, reason: `it fires above $${limit}/day` };
    return { ok: true };
}

export const dailyCostAlert = stackPolicy({
    name: "daily-cost-alert",
    description:
        "A budget or cost alert fires at no more than $1,000/day (seed monitoring alert cost_threshold).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateStack: (args, report) => {
        if (!args.resources.some((r) => billedPackages.includes(packageOf(r.type)))) {
            return args.notApplicable("the stack has no GCP or Databricks resource: nothing these providers bill to alert on");
        }
        const { maxDailyCostUsd } = settings<{ maxDailyCostUsd: number }>(args, schema);
        const rejected: { resource: PolicyResource; reason: string }[] = [];
        for (const resource of args.resources) {
            let verdict: Verdict | undefined;
            if (isType(resource, resourceTypes.budget)) {
                verdict = budgetVerdict(snapshot(resource.props) as Record<string, unknown>, maxDailyCostUsd);
            } else if (isType(resource, resourceTypes.alert, resourceTypes.sqlAlert)) {
                verdict = databricksAlertVerdict(resource, maxDailyCostUsd);
            }
            if (!verdict) continue;
            // One qualifying alert is enough; one not known yet may be it, so nothing is reported.
            if (verdict.ok === true || verdict.ok === "unknown") return;
            rejected.push({ resource, reason: verdict.reason });
        }
        const remedy = fix(
            `add a gcp.billing.Budget of at most ${Math.round(maxDailyCostUsd * daysPerMonth)} USD/month with threshold rules, or a Databricks cost alert firing above ≤ ${maxDailyCostUsd}`,
            `the CostMonitoring component, migration:costMonitoring.dailyCostAlertUsd ≤ ${maxDailyCostUsd}`,
        );
        if (rejected.length === 0) {
            report(
                violation({
                    resource: "the stack",
                    what: "the daily cost alert",
                    found: "missing (no billing budget or Databricks cost alert)",
                    limit: `an alert at ≤ $${maxDailyCostUsd}/day`,
                    fix: remedy,
                }),
            );
        }
        for (const { resource, reason } of rejected) {
            report(
                violation({
                    resource: subject(resource.type, resource.name),
                    what: "the daily cost alert",
                    found: `not effective: ${reason}`,
                    limit: `an alert at ≤ $${maxDailyCostUsd}/day`,
                    fix: remedy,
                }),
                resource.urn,
            );
        }
    },
});
