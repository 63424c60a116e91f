/**
 * Default answers for the common provider functions (`get*` invokes) of the GCP, Databricks
 * and Kubernetes providers. A real preview calls the provider, which asks the cloud; offline
 * there is no cloud, so each answer is either derived from the call's inputs and the
 * provider's config (names, self links, e-mails), a documented stand-in (the project number),
 * or unknown (`unknownValue`) where only the cloud could tell — a preview then carries the
 * unknown on as it carries a resource's computed output. The `random` provider has no
 * functions: its generated values are resource outputs, unknown in a preview.
 *
 * A project answers anything else, or overrides these, in its own `migration.mocks.json|ts|js`
 * (tools/engine/userAnswers.ts).
 */
import { parseAllDocuments } from "yaml";
import { unknownValue } from "./wire";

type Inputs = Record<string, unknown>;

/** What an answer can read besides the call's inputs. */
export interface CallContext {
    inputs: Inputs;
    /** The inputs of the explicit provider the call names (`{ provider }`), else {}. */
    providerInputs: Inputs;
    /** A stack config value by fully qualified key (`gcp:project`), as the program sees it. */
    config(key: string): string | undefined;
}

export type FunctionAnswer = (call: CallContext) => Record<string, unknown>;

/** The project number every `gcp.organizations.getProject` call answers with. */
export const mockProjectNumber = "123456789012";

/** The project a GCP call is about: its input, its provider's, the stack's `gcp:project`. */
function gcpSetting(call: CallContext, key: "project" | "region" | "zone"): unknown {
    return call.inputs[key] ?? call.providerInputs[key] ?? call.config(`gcp:${key}`) ?? unknownValue;
}

const known = (value: unknown): value is string => typeof value === "string" && value !== unknownValue;

function selfLink(project: unknown, path: string): string {
    return known(project) ? `https://www.googleapis.com/compute/v1/projects/${project}/${path}` : unknownValue;
}

export const defaultFunctionAnswers: Readonly<Record<string, FunctionAnswer>> = {
    "gcp:organizations/getProject:getProject": ({ inputs }) => ({
        projectId: inputs.projectId ?? "offline-project",
        number: mockProjectNumber,
        name: inputs.projectId ?? "offline-project",
        labels: {},
    }),
    // The caller's credentials are the cloud's to tell: the token stays unknown.
    "gcp:organizations/getClientConfig:getClientConfig": (call) => ({
        id: "offline-client-config",
        project: gcpSetting(call, "project"),
        region: gcpSetting(call, "region"),
        zone: gcpSetting(call, "zone"),
        accessToken: unknownValue,
    }),
    // Which zones a region has, and which are up, only the cloud knows.
    "gcp:compute/getZones:getZones": (call) => ({
        id: "offline-zones",
        project: gcpSetting(call, "project"),
        region: gcpSetting(call, "region"),
        names: unknownValue,
    }),
    "gcp:compute/getNetwork:getNetwork": (call) => {
        const project = gcpSetting(call, "project");
        const name = call.inputs.name;
        return {
            id: known(project) ? `projects/${project}/global/networks/${String(name)}` : unknownValue,
            name,
            project,
            selfLink: selfLink(project, `global/networks/${String(name)}`),
            subnetworksSelfLinks: unknownValue,
        };
    },
    "gcp:compute/getSubnetwork:getSubnetwork": (call) => {
        const project = gcpSetting(call, "project");
        const region = gcpSetting(call, "region");
        const name = call.inputs.name;
        const path = known(region) ? `regions/${region}/subnetworks/${String(name)}` : undefined;
        return {
            id: known(project) && path ? `projects/${project}/${path}` : unknownValue,
            name,
            project,
            region,
            selfLink: path ? selfLink(project, path) : unknownValue,
            network: unknownValue,
            ipCidrRange: unknownValue,
            secondaryIpRanges: unknownValue,
        };
    },
    // A user-managed service account's e-mail is its ID at its project.
    "gcp:serviceaccount/getAccount:getAccount": (call) => {
        const project = gcpSetting(call, "project");
        const accountId = String(call.inputs.accountId);
        const email = accountId.includes("@") ? accountId : known(project) ? `${accountId}@${project}.iam.gserviceaccount.com` : unknownValue;
        return {
            accountId,
            email,
            member: known(email) ? `serviceAccount:${email}` : unknownValue,
            name: known(project) && known(email) ? `projects/${project}/serviceAccounts/${email}` : unknownValue,
            uniqueId: unknownValue,
            displayName: unknownValue,
        };
    },
    "gcp:secretmanager/getSecretVersion:getSecretVersion": (call) => ({
        secret: call.inputs.secret,
        project: gcpSetting(call, "project"),
        version: call.inputs.version ?? unknownValue,
        secretData: unknownValue,
    }),
    "gcp:container/getEngineVersions:getEngineVersions": () => ({
        latestMasterVersion: unknownValue,
        latestNodeVersion: unknownValue,
        defaultClusterVersion: unknownValue,
        validMasterVersions: unknownValue,
        validNodeVersions: unknownValue,
        releaseChannelDefaultVersion: unknownValue,
        releaseChannelLatestVersion: unknownValue,
    }),
    // The workspace decides these: its users, its runtimes, its node types.
    "databricks:index/getCurrentUser:getCurrentUser": () => ({
        id: unknownValue,
        userName: unknownValue,
        home: unknownValue,
        repos: unknownValue,
        alphanumeric: unknownValue,
        aclPrincipalId: unknownValue,
        externalId: unknownValue,
        workspaceUrl: unknownValue,
    }),
    "databricks:index/getSparkVersion:getSparkVersion": () => ({ id: unknownValue }),
    "databricks:index/getNodeType:getNodeType": () => ({ id: unknownValue }),
    "databricks:index/getCurrentMetastore:getCurrentMetastore": () => ({ id: unknownValue, metastoreInfo: unknownValue }),
    "databricks:index/getZones:getZones": () => ({ id: unknownValue, defaultZone: unknownValue, zones: unknownValue }),
    // Parsing YAML is local: `k8s.yaml.ConfigFile` and `ConfigGroup` get the provider's own answer.
    "kubernetes:yaml:decode": ({ inputs }) => ({ result: decodeYaml(String(inputs.text ?? "")) }),
};

/** YAML documents as the Kubernetes provider's `yaml:decode` returns them: the non-empty ones. */
function decodeYaml(text: string): unknown[] {
    const documents = parseAllDocuments(text);
    const objects: unknown[] = [];
    for (const document of Array.isArray(documents) ? documents : [documents]) {
        if (document.errors.length > 0) throw new Error(`kubernetes:yaml:decode: the YAML is not valid: ${document.errors[0].message}`);
        const value = document.toJS();
        if (value !== null && value !== undefined) objects.push(value);
    }
    return objects;
}
