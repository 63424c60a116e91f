import { StackPlan } from "../engine/plan";
import { Violation } from "./report";

export class PolicyError extends Error {}

export interface PolicyRunOptions {
    packDir: string;
    configFile?: string;
    phaseKey: string;
}

export async function analyzePlan(_plan: StackPlan, options: PolicyRunOptions): Promise<Map<number | null, Violation[]>> {
    throw new PolicyError(`policy pack ${options.packDir}: analysis is not available yet`);
}
