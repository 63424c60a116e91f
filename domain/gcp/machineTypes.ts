/**
 * What a Compute Engine machine type name says about its size: the vCPUs of a predefined type
 * (the workload distribution counts data-processing capacity in them) and the GPUs of an
 * accelerator-optimised one, the project's one rule for GPUs per machine (the stack schema, the
 * policy pack and the price catalog's test read it).
 */

/** Predefined types end in their vCPU count: `c4a-standard-16`, `n2-highmem-8`. */
const predefined = /^[a-z][a-z0-9]*-(standard|highmem|highcpu)-(\d+)$/;

export function vcpusOfMachineType(machineType: string): number {
    const match = predefined.exec(machineType);
    if (!match) {
        throw new RangeError(`machine type ${JSON.stringify(machineType)}: expected a predefined type such as c4a-standard-16, whose name ends in its vCPUs`);
    }
    return Number(match[2]);
}

/** GCP accelerator-optimised families: A2 (A100), A3/A4 (H100/H200/B200), G2/G4 (L4/RTX). */
const gpuMachinePattern = /^(a2|a3|a4|a4x|g2|g4)-/;

export function isGpuMachineType(machineType: unknown): boolean {
    return typeof machineType === "string" && gpuMachinePattern.test(machineType);
}

/** G2 sizes and their L4 count (not encoded in the name). */
const g2Gpus: Record<string, number> = { 4: 1, 8: 1, 12: 1, 16: 1, 24: 2, 32: 1, 48: 4, 96: 8 };

/** GPUs per node of a GCP machine type, from its name (a3-highgpu-8g → 8). */
export function gpusOfMachineType(machineType: string): number | undefined {
    const suffix = /^(?:a2|a3|a4|a4x)-[a-z]+-(\d+)g$/.exec(machineType);
    if (suffix) return Number(suffix[1]);
    const g2 = /^g2-standard-(\d+)$/.exec(machineType);
    if (g2) return g2Gpus[g2[1]];
    return undefined;
}
