/**
 * The offline engine's answers for what only a cloud can know: values providers compute when
 * a resource is created, and provider functions (`get*` calls). The engine runs programs as a
 * preview does: an output it has no answer for stays unknown, and `apply` callbacks on it do
 * not run. A few computed outputs have documented stand-ins below because the reports name
 * what they feed (a workspace URL that a provider is built from, a service account's e-mail
 * that a grant names); IDs are `<logical name>-id` for the same reason, where a preview would
 * show them unknown.
 *
 * Provider functions are answered from the project's own answers file first
 * (tools/engine/userAnswers.ts), then from the defaults (tools/engine/functionAnswers.ts);
 * anything else fails with a message naming the function and the file to answer it in, so a
 * program never runs on an invented value.
 */
import { isUnknown } from "@pulumi/pulumi";
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { defaultFunctionAnswers, mockProjectNumber } from "./functionAnswers";
import { isSecretMarker, secretPlaceholder, StackSnapshot } from "../model/graph";
import { noUserAnswers, userAnswerFiles, UserAnswers } from "./userAnswers";
import { unknownPlaceholder, unknownValue } from "./wire";

export { mockProjectNumber };

/** The Databricks workspace every `databricks.MwsWorkspaces` answers with (GCP URL shape). */
export const mockWorkspaceId = "1234567890123456";
export const mockWorkspaceUrl = `https://${mockWorkspaceId}.6.gcp.databricks.com`;

type Inputs = Record<string, unknown>;

/** An input as a string, or the unknown sentinel when the preview does not know it yet. */
function text(value: unknown, fallback?: string): string {
    if (isUnknown(value)) return unknownValue;
    if (value === undefined || value === null) return fallback ?? unknownValue;
    return String(value);
}

/** `fn` of the given texts, or unknown when any of them is. */
function derive(parts: string[], fn: (...parts: string[]) => string): string {
    return parts.includes(unknownValue) ? unknownValue : fn(...parts);
}

/** Outputs a provider computes on create, by resource type; merged over the inputs. */
export const computedOutputs: Record<string, (args: MockResourceArgs) => Record<string, unknown>> = {
    // A service account's e-mail is its ID at its project (the provider's project when unset).
    "gcp:serviceaccount/account:Account": ({ inputs }) => {
        const project = text(inputs.project, "offline-project");
        const email = derive([text(inputs.accountId), project], (id, p) => `${id}@${p}.iam.gserviceaccount.com`);
        return { email, uniqueId: "100000000000000000001", name: derive([project, email], (p, e) => `projects/${p}/serviceAccounts/${e}`) };
    },
    "gcp:container/cluster:Cluster": () => ({ endpoint: "10.0.0.2", masterVersion: "1.31.0-gke.0" }),
    "gcp:compute/network:Network": ({ name }) => ({ selfLink: `https://www.googleapis.com/compute/v1/projects/offline-project/global/networks/${name}` }),
    "gcp:compute/subnetwork:Subnetwork": ({ name, inputs }) => ({
        selfLink: derive([text(inputs.region)], (region) => `https://www.googleapis.com/compute/v1/projects/offline-project/regions/${region}/subnetworks/${name}`),
    }),
    // The account API assigns the network configuration's ID.
    "databricks:index/mwsNetworks:MwsNetworks": ({ name }) => ({ networkId: `${name}-network-id`, vpcStatus: "VALID" }),
    // The workspace's numeric ID, its URL (which the workspace-level provider is built from)
    // and the service account Databricks creates for it in its regional control plane.
    "databricks:index/mwsWorkspaces:MwsWorkspaces": ({ inputs }) => ({
        workspaceId: mockWorkspaceId,
        workspaceUrl: mockWorkspaceUrl,
        workspaceStatus: "RUNNING",
        gcpWorkspaceSa: derive([text(inputs.location)], (location) => `db-${mockWorkspaceId}@prod-gcp-${location}.iam.gserviceaccount.com`),
    }),
    // Unity Catalog creates a Google service account per storage credential; the bucket's IAM
    // grants go to its e-mail.
    "databricks:index/storageCredential:StorageCredential": ({ name }) => ({
        storageCredentialId: `${name}-credential-id`,
        databricksGcpServiceAccount: {
            credentialId: `${name}-credential-id`,
            email: `db-uc-storage-${name}@uc-us-central1.iam.gserviceaccount.com`,
        },
    }),
};

/** A recorded value as the wire carries it back: masked secrets as their placeholder, no undefined. */
function plain(value: unknown): unknown {
    if (isSecretMarker(value)) return secretPlaceholder;
    if (Array.isArray(value)) return value.map(plain);
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, plain(v)]));
    }
    return value;
}

export class UnansweredCallError extends Error {
    /** The SDK reports a failed invoke by the gRPC error's `details`. */
    readonly details: string;

    constructor(
        readonly token: string,
        inputKeys: readonly string[],
        /** The project's answers file, when the project directory is known. */
        answersFile?: string,
    ) {
        const where = answersFile ?? `${userAnswerFiles[0]} beside the project's Pulumi.yaml`;
        super(
            `provider function "${token}" has no offline answer` +
                `${inputKeys.length > 0 ? ` (called with ${inputKeys.join(", ")})` : ""}; ` +
                `answer it in ${where}: {"functions": {"${token}": { …the outputs the program reads } }}`,
        );
        this.name = "UnansweredCallError";
        this.details = this.message;
    }
}

/** The engine's builtin function that lists what a stack's latest snapshot holds. */
export const readStackResourceOutputsToken = "pulumi:pulumi:readStackResourceOutputs";

export interface AnswerContext {
    user?: UserAnswers;
    /** The stack's config as the program sees it (fully qualified keys). */
    config?: Readonly<Record<string, string>>;
    /** Inputs of a registered provider resource, by its reference (`urn::id`). */
    providerInputs?: (reference: string) => Inputs | undefined;
    /** What stacks' latest snapshots hold, by fully qualified name. */
    stackSnapshots?: Readonly<Record<string, StackSnapshot>>;
}

export function answerCall(args: MockCallArgs, context: AnswerContext = {}): Record<string, unknown> {
    const user = context.user ?? noUserAnswers;
    const inputs = args.inputs as Inputs;
    // As the engine's builtin provider answers it: every resource the stack's latest snapshot
    // holds (a stack not given holds nothing yet, as one that was never deployed).
    if (args.token === readStackResourceOutputsToken) {
        const name = String(inputs.stackName);
        return { name, outputs: plain(context.stackSnapshots?.[name] ?? {}) };
    }
    const own = user.functions[args.token];
    if (own) return own(inputs);
    const answer = defaultFunctionAnswers[args.token];
    if (!answer) throw new UnansweredCallError(args.token, Object.keys(inputs), user.file);
    return answer({
        inputs,
        providerInputs: (args.provider && context.providerInputs?.(args.provider)) || {},
        config: (key) => context.config?.[key],
    });
}

export const stackReferenceType = "pulumi:pulumi:StackReference";

/**
 * A stack's last outputs as a stack reference reads them. A deployed stack's outputs are all
 * known; what the offline engine could not know is left out rather than passed on as unknown
 * (an unknown anywhere would make the whole `outputs` map unknown to the reading program).
 */
export function knownOutputs(outputs: Record<string, unknown>): Record<string, unknown> {
    const strip = (value: unknown): unknown => {
        if (value === unknownPlaceholder || value === unknownValue) return undefined;
        if (Array.isArray(value)) return value.map(strip).filter((v) => v !== undefined);
        if (value !== null && typeof value === "object") {
            return Object.fromEntries(
                Object.entries(value)
                    .map(([k, v]) => [k, strip(v)] as const)
                    .filter(([, v]) => v !== undefined),
            );
        }
        return value;
    };
    return strip(outputs) as Record<string, unknown>;
}

/**
 * State for a new resource: its inputs, what the provider would compute, and `name` set to
 * the logical name where the program left it to auto-naming (real names get a random
 * suffix, which an offline plan cannot know). IDs are `<logical name>-id`, or the import ID.
 * Everything else a provider computes is absent, which a preview resolves as unknown.
 *
 * A stack reference reads the outputs given for that stack name in `stackOutputs`, and no
 * outputs otherwise (as a stack that has not been deployed yet).
 */
export function newResourceState(
    args: MockResourceArgs,
    stackOutputs: Readonly<Record<string, Record<string, unknown>>> = {},
    user: UserAnswers = noUserAnswers,
): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = args.inputs as Inputs;
    if (args.type === stackReferenceType) {
        const name = String(inputs.name);
        return { id: name, state: { name, outputs: knownOutputs(stackOutputs[name] ?? {}), secretOutputNames: [] } };
    }
    const computed = computedOutputs[args.type]?.(args) ?? {};
    const own = user.resources[args.type]?.({ name: args.name, type: args.type, inputs }) ?? {};
    const id = args.custom === false ? undefined : args.id || `${args.name}-id`;
    return { id, state: { name: args.name, ...inputs, ...computed, ...own } };
}
