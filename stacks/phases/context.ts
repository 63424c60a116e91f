import * as gcp from "@pulumi/gcp";
import * as pulumi from "@pulumi/pulumi";
import { ProjectApis } from "../../components/gcp/projectApis";
import { resourceLabels, Workload } from "../../domain/labels";
import { MigrationConfig } from "../config";
import { StackCapacity, stackCapacity } from "../../domain/hybridConfig";

/** What every phase receives: the validated config, the sizes to deploy, the providers, and the label helper. */
export interface PhaseContext {
    config: MigrationConfig;
    /** Autoscaling bounds and schedule state: as configured, or from the workload distribution in phase 3. */
    capacity: StackCapacity;
    providers: { gcp: gcp.Provider };
    /** The project's Google APIs, enabled as code; every GCP resource waits for the ones it needs. */
    apis: ProjectApis;
    labels(phase: number, workload: Workload): Record<string, string>;
    /**
     * Options for a component with GCP resources: the GCP provider (next to any other provider
     * given, such as a Databricks one) and the transformation that makes each resource under the
     * component depend on its Google APIs.
     */
    gcpOptions(opts?: pulumi.ComponentResourceOptions): pulumi.ComponentResourceOptions;
}

/**
 * Builds the context. The GCP provider is explicit (never the ambient default), so the
 * project, region and credentials come only from validated config, and billing-budget
 * calls are billed to the project (`userProjectOverride`).
 */
export function createContext(config: MigrationConfig): PhaseContext {
    // The SDK does not mark `credentials` secret itself. The value given is a secret already;
    // declaring the field also keeps the provider's output secret and shows the policy pack,
    // which is not told which inputs are secret, that it is. (The provider's options type omits
    // the field; the SDK's own Provider passes `accessToken` the same way.)
    const secretCredentials: pulumi.CustomResourceOptions = { additionalSecretOutputs: ["credentials"] };
    const gcpProvider = new gcp.Provider(
        "gcp",
        {
            project: config.gcpProject,
            region: config.region,
            credentials: config.gcpCredentials,
            billingProject: config.gcpProject,
            userProjectOverride: true,
        },
        secretCredentials,
    );
    const apis = new ProjectApis("apis", { project: config.gcpProject }, { providers: [gcpProvider] });
    const labelContext = { team: config.team, env: config.environment, costCenter: config.costCenter };
    return {
        config,
        capacity: stackCapacity(config),
        providers: { gcp: gcpProvider },
        apis,
        labels: (phase, workload) => resourceLabels(labelContext, phase, workload),
        gcpOptions: (opts) => ({
            ...opts,
            providers: [gcpProvider, ...otherProviders(opts?.providers)],
            transformations: [...(opts?.transformations ?? []), apis.dependencies],
        }),
    };
}

function otherProviders(providers: pulumi.ComponentResourceOptions["providers"]): pulumi.ProviderResource[] {
    if (providers === undefined) return [];
    return Array.isArray(providers) ? providers : Object.values(providers);
}
