import { describe, expect, it } from "vitest";
import { ArmNodePool } from "../../../components/gcp/armNodePool";
import { GpuNodePool, GpuNodePoolArgs } from "../../../components/gcp/gpuNodePool";
import { ProgramError } from "../../../tools/engine/evaluate";
import { byType, runProgram } from "../../harness";

const labels = { team: "t", env: "e", phase: "phase-0", workload: "training", "cost-center": "c" };
const gpuArgs: GpuNodePoolArgs = {
    cluster: "projects/p/locations/us-central1/clusters/ml",
    location: "us-central1",
    nodeLocations: ["us-central1-a", "us-central1-c"],
    machineType: "a3-highgpu-8g",
    accelerator: { type: "nvidia-h100-80gb", count: 8 },
    gpuDriverVersion: "LATEST",
    spot: false,
    minNodes: 1,
    maxNodes: 4,
    diskType: "pd-ssd",
    diskSizeGb: 200,
    serviceAccount: "nodes@p.iam.gserviceaccount.com",
    compactPlacement: false,
    labels,
};

type NodeConfig = Record<string, unknown> & { guestAccelerators: Record<string, unknown>[]; resourceLabels: Record<string, string> };

async function nodePoolOf(program: () => unknown) {
    const graph = await runProgram(program);
    const [pool] = byType(graph, "gcp:container/nodePool:NodePool");
    return { pool, nodeConfig: pool.inputs.nodeConfig as NodeConfig, graph };
}

describe("GpuNodePool", () => {
    it("sets the machine type, accelerators, managed driver and autoscaling bounds", async () => {
        const { pool, nodeConfig, graph } = await nodePoolOf(() => new GpuNodePool("h100", gpuArgs));
        expect(nodeConfig.machineType).toBe("a3-highgpu-8g");
        expect(nodeConfig.guestAccelerators).toEqual([
            { type: "nvidia-h100-80gb", count: 8, gpuDriverInstallationConfig: { gpuDriverVersion: "LATEST" } },
        ]);
        expect(pool.inputs.autoscaling).toEqual({ totalMinNodeCount: 1, totalMaxNodeCount: 4, locationPolicy: "BALANCED" });
        expect(nodeConfig.spot).toBe(false);
        expect(nodeConfig.diskType).toBe("pd-ssd");
        expect(nodeConfig.resourceLabels).toMatchObject({ ...labels, capacity: "on-demand" });
        expect(pool.inputs.nodeLocations).toEqual(["us-central1-a", "us-central1-c"]);
        const component = graph.resources.find((r) => r.type === "migration:gcp:GpuNodePool")!;
        expect(pool.parent).toBe(component.urn);
    });

    it("runs spot capacity wherever it is free and never on a reservation", async () => {
        const { pool, nodeConfig } = await nodePoolOf(() => new GpuNodePool("h100", { ...gpuArgs, spot: true }));
        expect(nodeConfig.spot).toBe(true);
        expect(pool.inputs.autoscaling).toMatchObject({ locationPolicy: "ANY" });
        expect(nodeConfig.reservationAffinity).toEqual({ consumeReservationType: "NO_RESERVATION" });
        const error = await runProgram(() => new GpuNodePool("h100", { ...gpuArgs, spot: true, reservation: "h100-res" })).catch((e) => e);
        expect(error).toBeInstanceOf(ProgramError);
        expect(error.message).toMatch(/reservation "h100-res": spot capacity cannot consume a reservation/);
    });

    it("lets on-demand capacity consume any matching reservation of the project when none is named", async () => {
        const { nodeConfig } = await nodePoolOf(() => new GpuNodePool("h100", gpuArgs));
        expect(nodeConfig.reservationAffinity).toEqual({ consumeReservationType: "ANY_RESERVATION" });
    });

    it("consumes a named reservation and places nodes compactly in one zone", async () => {
        const { pool, nodeConfig } = await nodePoolOf(
            () => new GpuNodePool("h100", { ...gpuArgs, reservation: "h100-res", compactPlacement: true }),
        );
        expect(nodeConfig.reservationAffinity).toEqual({
            consumeReservationType: "SPECIFIC_RESERVATION",
            key: "compute.googleapis.com/reservation-name",
            values: ["h100-res"],
        });
        expect(pool.inputs.placementPolicy).toEqual({ type: "COMPACT" });
        expect(pool.inputs.nodeLocations).toEqual(["us-central1-a"]);
    });

    it("rejects bounds that cannot autoscale, naming the values", async () => {
        const error = await runProgram(() => new GpuNodePool("h100", { ...gpuArgs, minNodes: 5, maxNodes: 0 })).catch((e) => e);
        expect(error.message).toContain("maxNodes 0: expected at least 1");
        expect(error.message).toContain("minNodes 5: expected from 0 to maxNodes (0)");
    });
});

describe("ArmNodePool", () => {
    const armArgs = {
        cluster: "projects/p/locations/us-central1/clusters/ml",
        location: "us-central1",
        machineType: "c4a-standard-8",
        minNodes: 0,
        maxNodes: 4,
        diskType: "hyperdisk-balanced",
        diskSizeGb: 100,
        spot: false,
        serviceAccount: "nodes@p.iam.gserviceaccount.com",
        labels: { ...labels, workload: "data-processing" },
    };

    it("boots C4A from Hyperdisk and leaves the arm64 taint to GKE, which adds it to Arm nodes itself", async () => {
        const { pool, nodeConfig } = await nodePoolOf(() => new ArmNodePool("c4a", armArgs));
        expect(nodeConfig.machineType).toBe("c4a-standard-8");
        expect(nodeConfig.diskType).toBe("hyperdisk-balanced");
        expect(nodeConfig.taints).toBeUndefined();
        expect(pool.inputs.autoscaling).toMatchObject({ totalMinNodeCount: 0, totalMaxNodeCount: 4 });
        expect(nodeConfig.resourceLabels).toEqual(armArgs.labels);
    });

    it("refuses Persistent Disk and non-C4A machine types", async () => {
        const error = await runProgram(
            () => new ArmNodePool("c4a", { ...armArgs, machineType: "n2-standard-8", diskType: "pd-balanced" }),
        ).catch((e) => e);
        expect(error.message).toContain('machineType "n2-standard-8": expected a c4a-* type');
        expect(error.message).toContain('diskType "pd-balanced": C4A boots only from Hyperdisk');
    });
});
