/**
 * Rollback must lose no data. Stateful resources (buckets, datasets, Unity Catalog objects,
 * Delta tables) are protected, so `pulumi up` refuses to delete them; and the program keeps
 * declaring a phase's data layer once the stack has created it, even after `migration:phase`
 * is lowered. Promoting again then finds the same resources in the stack: nothing is
 * recreated, duplicated or imported.
 *
 * "Has created" is read from the stack's own last outputs (`dataPhase`) through a stack
 * reference to itself, so a rollback by `git revert` of the phase bump needs nothing else.
 */
import * as pulumi from "@pulumi/pulumi";
import { maxPhase, Phase } from "../components/targets";

export const dataPhaseOutput = "dataPhase";

/** The fully qualified name of the running stack, as stack references name it. */
export function selfStackName(): string {
    return `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
}

function asPhase(value: unknown): Phase | undefined {
    return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= maxPhase ? (value as Phase) : undefined;
}

/**
 * The highest phase whose data layer this stack keeps: the configured phase, or a higher one
 * that an earlier deployment reached.
 */
export async function retainedDataPhase(phase: number): Promise<Phase> {
    const self = new pulumi.StackReference("self", { name: selfStackName() });
    const previous = await self.getOutputDetails(dataPhaseOutput);
    const reached = asPhase(previous.value) ?? 0;
    return Math.max(phase, reached) as Phase;
}
