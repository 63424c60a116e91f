/**
 * Pitfall: the seed asks for a "High Concurrency" cluster, a legacy mode; the Databricks ML
 * runtime for GPU runs only in dedicated (single-user) access mode. Standard/shared access
 * modes or the legacy high-concurrency profile reject a GPU ML runtime.
 */
import { at, isGpuNodeType, isGpuRuntime } from "../../tools/model/compute";
import { configSchema, settings, stringList } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { onClusterSpecs, resourcePolicy } from "../lib/policy";
import { entries, isUnknown } from "../../tools/model/values";

const schema = configSchema({
    dedicatedModes: stringList(
        ["SINGLE_USER", "DATA_SECURITY_MODE_DEDICATED"],
        "dataSecurityMode values that mean dedicated (single-user) access.",
    ),
});

export const gpuRuntimeDedicatedAccess = resourcePolicy({
    name: "gpu-ml-runtime-dedicated-access",
    description: "Databricks clusters on a GPU ML runtime use dedicated (single-user) access mode, not the legacy High Concurrency profile.",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: onClusterSpecs(({ path, spec }, args, report) => {
        const { dedicatedModes } = settings<{ dedicatedModes: string[] }>(args, schema);
        if ([spec.sparkVersion, spec.useMlRuntime, spec.nodeTypeId, spec.dataSecurityMode].some(isUnknown)) return;
        const gpuMl =
            (typeof spec.sparkVersion === "string" && /-gpu-ml-/.test(spec.sparkVersion)) ||
            (spec.useMlRuntime === true && (isGpuNodeType(spec.nodeTypeId) || isGpuRuntime(spec.sparkVersion)));
        if (!gpuMl) return;
        const resource = subject(args.type, args.name);
        const mode = spec.dataSecurityMode;
        if (typeof mode !== "string" || !dedicatedModes.includes(mode)) {
            report(
                violation({
                    resource,
                    what: at(path, "dataSecurityMode"),
                    found: `${mode === undefined ? "not set" : show(mode)} with GPU ML runtime ${show(spec.sparkVersion)}`,
                    limit: `one of ${dedicatedModes.join(", ")}`,
                    fix: `set dataSecurityMode = "${dedicatedModes[0]}" and singleUserName to the user or group that runs it`,
                }),
            );
        }
        const profile = entries(spec.sparkConf).find(([key]) => key === "spark.databricks.cluster.profile");
        if (profile && profile[1] === "serverless") {
            report(
                violation({
                    resource,
                    what: at(path, 'sparkConf["spark.databricks.cluster.profile"]'),
                    found: '"serverless" (legacy High Concurrency mode)',
                    limit: "no legacy cluster profile on GPU ML runtimes",
                    fix: "remove the profile and use dedicated access mode",
                }),
            );
        }
    }),
});
