/**
 * Seed "Performance Tuning": `gpu_memory_utilization: 0.85`, the share of GPU memory a training
 * process may claim (the rest absorbs fragmentation and NCCL buffers). The seed gives it as an
 * optimisation target, so the policy is advisory. It reads the settings where the fraction is
 * set for Databricks compute: Spark conf and environment (RAPIDS `allocFraction`, framework
 * variables) and job parameters (`--gpu-memory-fraction 0.9`, `gpu_memory_utilization: "0.9"`).
 */
import { costRules } from "../../domain/targets";
import { at, clusterSpecs } from "../../tools/model/compute";
import { configSchema, fraction, settings } from "../lib/config";
import { subject, violation } from "../lib/messages";
import { resourcePolicy } from "../lib/policy";
import { isType, resourceTypes } from "../../tools/model/resourceTypes";
import { asNumber, entries, snapshot } from "../../tools/model/values";

const fractionKey =
    /gpu[_.-]?mem(ory)?[_.-]?(fraction|utili[sz]ation)|memory\.gpu\.(max)?allocfraction|cuda[_.-]?memory[_.-]?fraction|mem[_.-]?fraction$/i;

const schema = configSchema({
    maxGpuMemoryFraction: fraction(
        costRules.gpuMemoryUtilization,
        "Largest fraction of GPU memory a training process may claim (seed optimization_targets gpu_memory_utilization).",
    ),
});

interface Finding {
    path: string;
    value: number;
}

/** `key=value` or `key value` in an argument list. */
function fromArguments(args: unknown, path: string): Finding[] {
    if (!Array.isArray(args)) return [];
    const found: Finding[] = [];
    args.forEach((arg, i) => {
        if (typeof arg !== "string") return;
        const [flag, inline] = arg.split("=", 2);
        if (!fractionKey.test(flag.replace(/^-+/, ""))) return;
        const value = asNumber(inline ?? args[i + 1]);
        if (value !== undefined) found.push({ path: `${path}[${i}]`, value });
    });
    return found;
}

function fromMap(map: unknown, path: string): Finding[] {
    return entries(map)
        .filter(([key]) => fractionKey.test(key))
        .map(([key, v]) => ({ path: `${path}["${key}"]`, value: asNumber(v) }))
        .filter((f): f is Finding => f.value !== undefined);
}

function findings(type: string, props: Record<string, unknown>): Finding[] {
    const found: Finding[] = [];
    for (const { path, spec } of clusterSpecs(type, props)) {
        found.push(...fromMap(spec.sparkConf, at(path, "sparkConf")), ...fromMap(spec.sparkEnvVars, at(path, "sparkEnvVars")));
    }
    if (type === "databricks:index/job:Job") {
        const parameters = (Array.isArray(props.parameters) ? props.parameters : []) as Record<string, unknown>[];
        parameters.forEach((p, i) => {
            if (typeof p?.name === "string" && fractionKey.test(p.name)) {
                const value = asNumber(p.default);
                if (value !== undefined) found.push({ path: `parameters[${i}].default`, value });
            }
        });
        const tasks = (Array.isArray(props.tasks) ? props.tasks : []) as Record<string, Record<string, unknown>>[];
        tasks.forEach((task, i) => {
            const base = `tasks[${i}]`;
            found.push(
                ...fromMap(task?.notebookTask?.baseParameters, `${base}.notebookTask.baseParameters`),
                ...fromMap(task?.pythonWheelTask?.namedParameters, `${base}.pythonWheelTask.namedParameters`),
                ...fromArguments(task?.sparkPythonTask?.parameters, `${base}.sparkPythonTask.parameters`),
                ...fromArguments(task?.pythonWheelTask?.parameters, `${base}.pythonWheelTask.parameters`),
                ...fromArguments(task?.sparkSubmitTask?.parameters, `${base}.sparkSubmitTask.parameters`),
            );
        });
    }
    return found;
}

export const gpuMemoryFraction = resourcePolicy({
    name: "gpu-memory-fraction",
    description:
        "Training on GPUs claims at most 85% of GPU memory (seed performance target gpu_memory_utilization).",
    enforcementLevel: "advisory",
    severity: "low",
    configSchema: schema,
    validateResource: (args, report) => {
        if (!isType(args, resourceTypes.databricksCluster, resourceTypes.databricksJob)) {
            args.notApplicable("applies to Databricks clusters and jobs");
        }
        const { maxGpuMemoryFraction } = settings<{ maxGpuMemoryFraction: number }>(args, schema);
        for (const { path, value } of findings(args.type, snapshot(args.props) as Record<string, unknown>)) {
            const share = value > 1 ? value / 100 : value;
            if (Number(share.toFixed(6)) <= maxGpuMemoryFraction) continue;
            report(
                violation({
                    resource: subject(args.type, args.name),
                    what: path,
                    found: String(value),
                    limit: `at most ${maxGpuMemoryFraction}`,
                    fix: `set it to ${maxGpuMemoryFraction} or less`,
                }),
            );
        }
    },
});
