/**
 * Reads the running stack's `migration:*` config once, validated by the domain's parser
 * (domain/stackConfig.ts), into one typed object. Nothing is registered before this succeeds.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, parseStackConfig, StackConfig } from "../domain/stackConfig";

/** The validated configuration, the GCP credentials kept as a secret output. */
export type MigrationConfig = Omit<StackConfig, "gcpCredentials"> & {
    /** Service-account key for the GCP provider; absent means application-default credentials. */
    gcpCredentials?: pulumi.Output<string>;
};

/** Reads and validates the running stack's config. Call before creating any resource. */
export function loadConfig(): MigrationConfig {
    const values = pulumi.runtime.allConfig();
    // Not in the SDK's typings, but it is how the SDK itself tells secret config apart.
    const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    const secretKeys = new Set(Object.keys(values).filter((key) => runtime.isConfigSecret(key)));
    let parsed: StackConfig;
    try {
        parsed = parseStackConfig({ values, secretKeys, stack: pulumi.getStack(), project: pulumi.getProject() });
    } catch (err) {
        // A RunError is shown without a stack trace: the message lists every bad key already.
        if (err instanceof ConfigError) throw new pulumi.RunError(err.message);
        throw err;
    }
    const { gcpCredentials, ...config } = parsed;
    return {
        ...config,
        ...(gcpCredentials === undefined ? {} : { gcpCredentials: pulumi.secret(gcpCredentials) }),
    };
}
