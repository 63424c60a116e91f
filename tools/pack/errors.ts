/**
 * The one error the policy runner throws. It lives apart from analyzer.ts so that the process,
 * RPC and wire parts can raise it without importing the façade that imports them (a cycle);
 * analyzer.ts re-exports it as the public name.
 */
export type PolicyPackErrorKind = "missing" | "crashed" | "timeout" | "config" | "analysis";

export class PolicyPackError extends Error {
    constructor(
        readonly kind: PolicyPackErrorKind,
        message: string,
        /** The end of the pack's stderr, when the process said anything. */
        readonly stderr = "",
    ) {
        super(stderr ? `${message}\n--- policy pack stderr (last lines) ---\n${stderr}` : message);
        this.name = "PolicyPackError";
    }
}
