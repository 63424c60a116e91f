/**
 * Pitfall: the seed's performance targets turn Photon on, but Photon does not run on GPU
 * instances; a Photon runtime on a GPU node type fails to start (or silently falls back).
 * Photon belongs on the CPU data-prep clusters only.
 */
import { at, isGpuNodeType, isGpuRuntime } from "../../tools/model/compute";
import { configSchema, settings, stringList } from "../lib/config";
import { show, subject, violation } from "../lib/messages";
import { onClusterSpecs, resourcePolicy } from "../lib/policy";
import { isUnknown } from "../../tools/model/values";

const schema = configSchema({
    photonEngines: stringList(["PHOTON"], "runtimeEngine values that select Photon."),
});

export const noPhotonOnGpu = resourcePolicy({
    name: "no-photon-on-gpu",
    description: "Databricks clusters on GPU node types or GPU runtimes do not enable Photon (Photon runs on CPU instances only).",
    enforcementLevel: "mandatory",
    severity: "high",
    configSchema: schema,
    validateResource: onClusterSpecs(({ path, spec }, args, report) => {
        const { photonEngines } = settings<{ photonEngines: string[] }>(args, schema);
        if ([spec.runtimeEngine, spec.sparkVersion, spec.nodeTypeId, spec.driverNodeTypeId].some(isUnknown)) return;
        const photon =
            (typeof spec.runtimeEngine === "string" && photonEngines.includes(spec.runtimeEngine)) ||
            (typeof spec.sparkVersion === "string" && /photon/i.test(spec.sparkVersion));
        const gpu = isGpuNodeType(spec.nodeTypeId) || isGpuNodeType(spec.driverNodeTypeId) || isGpuRuntime(spec.sparkVersion);
        if (!photon || !gpu) return;
        report(
            violation({
                resource: subject(args.type, args.name),
                what: at(path, "runtimeEngine"),
                found: `${show(spec.runtimeEngine ?? spec.sparkVersion)} on GPU compute (node type ${show(spec.nodeTypeId)}, runtime ${show(spec.sparkVersion)})`,
                limit: "STANDARD on GPU node types",
                fix: "set runtimeEngine = \"STANDARD\" here and enable Photon on the CPU data-prep cluster instead",
            }),
        );
    }),
});
