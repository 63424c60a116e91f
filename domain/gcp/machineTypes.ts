/**
 * What a predefined Compute Engine machine type name says about its size. Pure, no Pulumi
 * import: the workload distribution counts data-processing capacity in vCPUs from it.
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
