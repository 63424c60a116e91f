/**
 * The offline engine's documented answers for what only a cloud can know: values providers
 * compute when a resource is created, and provider functions (`get*` calls). Anything not
 * listed here fails with a message naming it, so a program never runs on an invented value.
 */
import { MockCallArgs, MockResourceArgs } from "@pulumi/pulumi/runtime/mocks";
import { isSecretMarker, secretPlaceholder, StackSnapshot } from "./graph";

/** The project number every `gcp.organizations.getProject` call answers with. */
export const mockProjectNumber = "123456789012";

/** The Databricks workspace every `databricks.MwsWorkspaces` answers with (GCP URL shape). */
export const mockWorkspaceId = "1234567890123456";
export const mockWorkspaceUrl = `https://${mockWorkspaceId}.6.gcp.databricks.com`;

type Inputs = Record<string, unknown>;

/** Provider function answers, by token. */
export const callAnswers: Record<string, (inputs: Inputs) => Record<string, unknown>> = {
    "gcp:organizations/getProject:getProject": (inputs) => ({
        projectId: inputs.projectId ?? "offline-project",
        number: mockProjectNumber,
        name: inputs.projectId ?? "offline-project",
        labels: {},
    }),
    "gcp:organizations/getClientConfig:getClientConfig": () => ({
        project: "offline-project",
        region: "us-central1",
        accessToken: "offline-token",
    }),
};

/** Outputs a provider computes on create, by resource type; merged over the inputs. */
export const computedOutputs: Record<string, (args: MockResourceArgs) => Record<string, unknown>> = {
    // A service account's e-mail is its ID at its project (the provider's project when unset).
    "gcp:serviceaccount/account:Account": ({ inputs }) => {
        const email = `${String(inputs.accountId)}@${String(inputs.project ?? "offline-project")}.iam.gserviceaccount.com`;
        return { email, uniqueId: "100000000000000000001", name: `projects/${String(inputs.project ?? "offline-project")}/serviceAccounts/${email}` };
    },
    "gcp:container/cluster:Cluster": () => ({ endpoint: "10.0.0.2", masterVersion: "1.31.0-gke.0" }),
    "gcp:compute/network:Network": ({ name }) => ({ selfLink: `https://www.googleapis.com/compute/v1/projects/offline-project/global/networks/${name}` }),
    "gcp:compute/subnetwork:Subnetwork": ({ name, inputs }) => ({
        selfLink: `https://www.googleapis.com/compute/v1/projects/offline-project/regions/${String(inputs.region)}/subnetworks/${name}`,
    }),
    // The account API assigns the network configuration's ID.
    "databricks:index/mwsNetworks:MwsNetworks": ({ name }) => ({ networkId: `${name}-network-id`, vpcStatus: "VALID" }),
    // The workspace's numeric ID, its URL (which the workspace-level provider is built from)
    // and the service account Databricks creates for it in its regional control plane.
    "databricks:index/mwsWorkspaces:MwsWorkspaces": ({ inputs }) => ({
        workspaceId: mockWorkspaceId,
        workspaceUrl: mockWorkspaceUrl,
        workspaceStatus: "RUNNING",
        gcpWorkspaceSa: `db-${mockWorkspaceId}@prod-gcp-${String(inputs.location)}.iam.gserviceaccount.com`,
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

    constructor(readonly token: string) {
        super(
            `the offline engine has no answer for provider function "${token}"; ` +
                `add one to callAnswers in tools/engine/mockAnswers.ts (answered: ${Object.keys(callAnswers).join(", ")})`,
        );
        this.name = "UnansweredCallError";
        this.details = this.message;
    }
}

/** The engine's builtin function that lists what a stack's latest snapshot holds. */
export const readStackResourceOutputsToken = "pulumi:pulumi:readStackResourceOutputs";

export function answerCall(args: MockCallArgs, stackSnapshots: Readonly<Record<string, StackSnapshot>> = {}): Record<string, unknown> {
    // As the engine's builtin provider answers it: every resource the stack's latest snapshot
    // holds (a stack not given holds nothing yet, as one that was never deployed).
    if (args.token === readStackResourceOutputsToken) {
        const name = String((args.inputs as Inputs).stackName);
        return { name, outputs: plain(stackSnapshots[name] ?? {}) };
    }
    const answer = callAnswers[args.token];
    if (!answer) throw new UnansweredCallError(args.token);
    return answer(args.inputs as Inputs);
}

export const stackReferenceType = "pulumi:pulumi:StackReference";

/**
 * State for a new resource: its inputs, what the provider would compute, and `name` set to
 * the logical name where the program left it to auto-naming (real names get a random
 * suffix, which an offline plan cannot know). IDs are `<logical name>-id`, or the import ID.
 *
 * A stack reference reads the outputs given for that stack name in `stackOutputs`, and no
 * outputs otherwise (as a stack that has not been deployed yet).
 */
export function newResourceState(
    args: MockResourceArgs,
    stackOutputs: Readonly<Record<string, Record<string, unknown>>> = {},
): { id: string | undefined; state: Record<string, unknown> } {
    const inputs = args.inputs as Inputs;
    if (args.type === stackReferenceType) {
        const name = String(inputs.name);
        return { id: name, state: { name, outputs: stackOutputs[name] ?? {}, secretOutputNames: [] } };
    }
    const computed = computedOutputs[args.type]?.(args) ?? {};
    const id = args.custom === false ? undefined : args.id || `${args.name}-id`;
    return { id, state: { name: args.name, ...inputs, ...computed } };
}
