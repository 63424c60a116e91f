/**
 * No plaintext secrets in provider config. An analyzer is not told which values are secret
 * (the policy SDK unwraps secrets before a policy sees them), so a credential field passes
 * only when its secrecy is visible: the provider SDK always wraps that field as a secret
 * (e.g. the Databricks `token`), or the resource declares it in `additionalSecretOutputs`.
 * Anything else (e.g. the GCP provider's `credentials`, which its SDK leaves as given) would be
 * stored in the state as plaintext if it ever came from a plain config value or code.
 */
import { providerSecretInputs } from "../../domain/providerFacts";
import { configSchema, settings, stringList } from "../lib/config";
import { subject, violation } from "../lib/messages";
import { resourcePolicy } from "../lib/policy";
import { isUnknown, snapshot } from "../../tools/model/values";

const schema = configSchema({
    credentialKeys: stringList(
        ["credentials", "accessToken", "token", "password", "clientSecret", "googleCredentials", "azureClientSecret"],
        "Provider config fields that hold credentials.",
    ),
});

/** Inputs the provider SDK's constructor always wraps in `pulumi.secret` (a static table read from the SDKs). */
export function sdkSecretInputs(providerType: string): Set<string> {
    const pkg = providerType.slice("pulumi:providers:".length);
    return new Set(Object.prototype.hasOwnProperty.call(providerSecretInputs, pkg) ? providerSecretInputs[pkg] : []);
}

export const providerSecrets = resourcePolicy({
    name: "provider-secrets",
    description: "Provider credentials are never plaintext: each credential field is one the SDK encrypts, or is declared secret.",
    enforcementLevel: "mandatory",
    severity: "critical",
    configSchema: schema,
    validateResource: (args, report) => {
        if (!args.type.startsWith("pulumi:providers:")) args.notApplicable("applies to provider resources");
        const { credentialKeys } = settings<{ credentialKeys: string[] }>(args, schema);
        const props = snapshot(args.props) as Record<string, unknown>;
        const wrapped = sdkSecretInputs(args.type);
        const declared = new Set(args.opts.additionalSecretOutputs);
        for (const key of credentialKeys) {
            const value = props[key];
            if (value === undefined || value === "" || isUnknown(value)) continue;
            if (wrapped.has(key) || declared.has(key)) continue;
            report(
                violation({
                    resource: subject(args.type, args.name),
                    what: key,
                    found: "set without a secret marking (it would be stored as plaintext)",
                    limit: "a secret value",
                    fix: `pass it from a secret config value (pulumi config set --secret) and add { additionalSecretOutputs: ["${key}"] } to the provider, or use application-default credentials`,
                }),
            );
        }
    },
});
