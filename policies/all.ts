/**
 * The pack's contents, importable without starting the policy server (which `index.ts` does):
 * tests and tools list the policies from here.
 */
import { PolicyPackArgs } from "@pulumi/policy";
import { costPolicies } from "./cost";
import { gatePolicies } from "./gates";
import { pitfallPolicies } from "./pitfalls";
import { safetyPolicies } from "./safety";

export { packName } from "../domain/packContract";

export const packArgs: PolicyPackArgs = {
    description:
        "Cost rules, pitfall guardrails, safety and the promotion gate of the GCP → Databricks migration (seed cost_rules, success metrics).",
    enforcementLevel: "mandatory",
    policies: [...costPolicies, ...pitfallPolicies, ...safetyPolicies, ...gatePolicies],
};
