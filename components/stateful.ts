/**
 * The one rule for resources that hold data: every resource whose type is in
 * domain/stateful.ts's `statefulTypes` is protected and retained on delete, so that neither a
 * rollback nor a mistaken delete removes the data (stacks/dataLayer.ts keeps such resources in
 * the stack once created; policies/safety/statefulProtected.ts checks the result). Nobody
 * writes `protect` or `retainOnDelete` by hand: a type added to the list is protected
 * everywhere.
 *
 * Where the rule is registered, and why there:
 *   - on every component of this folder, through `MigrationComponent`: a component's
 *     transformations apply to its whole subtree, so a component protects its data wherever it
 *     is used — in the program, in another program, and in the component tests, which run a
 *     component alone (test/harness.ts `runProgram`) without the program's registration;
 *   - once for the whole stack by the program (stacks/index.ts), so that a stateful resource
 *     a phase creates outside any component is protected too.
 * Both are Pulumi's resource transformations of the Node.js SDK (`transformations`,
 * `registerStackTransformation`), which run inside the program as each resource is
 * constructed: they work under a deployment and under the offline engine's mocks alike,
 * unlike `registerResourceTransform`, which needs the engine's callback service. Applying
 * the rule twice changes nothing.
 */
import * as pulumi from "@pulumi/pulumi";
import { isStateful } from "../domain/stateful";

/** Protects and retains a stateful resource; leaves every other resource as it is. */
export const protectStateful: pulumi.ResourceTransformation = (args) =>
    isStateful(args.type) ? { props: args.props, opts: { ...args.opts, protect: true, retainOnDelete: true } } : undefined;

/** The options of a component, with the rule applied to everything it creates. */
export function withStatefulRule<T extends pulumi.ComponentResourceOptions>(opts: T | undefined): T {
    const transformations = opts?.transformations ?? [];
    return { ...(opts ?? ({} as T)), transformations: transformations.includes(protectStateful) ? transformations : [protectStateful, ...transformations] };
}

/** The base of this folder's components: what a component creates follows the stateful rule. */
export class MigrationComponent<TData = unknown> extends pulumi.ComponentResource<TData> {
    constructor(type: string, name: string, args: pulumi.Inputs = {}, opts?: pulumi.ComponentResourceOptions) {
        super(type, name, args, withStatefulRule(opts));
    }
}
