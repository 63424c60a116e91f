import * as pulumi from "@pulumi/pulumi";

/** A `dependsOn` option as a resource option accepts it. */
export type DependsOn = pulumi.Input<pulumi.Input<pulumi.Resource>[]> | pulumi.Input<pulumi.Resource> | undefined;

/**
 * `dependsOn` as given (nothing, a resource or a list of them) plus more resources. A
 * component's `dependsOn` does not reach its children, so components pass theirs on to the
 * children that must wait, through this. An Output or Promise of a list cannot be merged
 * without awaiting it; no caller passes one, and one is refused by name rather than dropped.
 */
export function withDependencies(owner: string, dependsOn: DependsOn, more: readonly pulumi.Resource[]): pulumi.Input<pulumi.Resource>[] {
    if (dependsOn === undefined) return [...more];
    if (Array.isArray(dependsOn)) return [...dependsOn, ...more];
    if (pulumi.Resource.isInstance(dependsOn)) return [dependsOn, ...more];
    throw new Error(`${owner}: dependsOn is an Output or Promise; pass a resource or a list of resources`);
}
