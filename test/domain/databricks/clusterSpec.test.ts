import { describe, expect, it } from "vitest";
import { ClusterSpec, clusterSpecProblems, gpuClusterSpec, photonClusterSpec } from "../../../domain/databricks/clusterSpec";
import { a100NodeTypeNames, a100NodeTypes } from "../../../domain/databricks/nodeTypes";
import { costRules } from "../../../domain/targets";

const tags = { team: "t" };
const gpu = () => gpuClusterSpec({ sparkVersion: "15.4.x-gpu-ml-scala2.12", nodeType: "a2-highgpu-1g", customTags: tags });
const photon = () => photonClusterSpec({ sparkVersion: "15.4.x-scala2.12", nodeType: "n2-highmem-8", customTags: tags });

describe("GPU cluster spec", () => {
    it("runs the GPU ML runtime in dedicated mode without Photon, GPU driver included", () => {
        expect(gpu()).toMatchObject({
            sparkVersion: "15.4.x-gpu-ml-scala2.12",
            nodeTypeId: "a2-highgpu-1g",
            driverNodeTypeId: "a2-highgpu-1g",
            runtimeEngine: "STANDARD",
            dataSecurityMode: "SINGLE_USER",
            customTags: tags,
        });
    });

    it("puts workers on spot with fallback and the driver on demand, in one zone", () => {
        expect(gpu().gcpAttributes).toEqual({ availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1, zoneId: "AUTO" });
    });

    it("passes the seed's GPU memory fraction to the training runtime, or the configured one", () => {
        expect(gpu().sparkEnvVars).toEqual({
            GPU_MEMORY_FRACTION: String(costRules.gpuMemoryUtilization),
            XLA_PYTHON_CLIENT_MEM_FRACTION: String(costRules.gpuMemoryUtilization),
        });
        expect(gpuClusterSpec({ sparkVersion: "15.4.x-gpu-ml-scala2.12", nodeType: "a2-ultragpu-1g", gpuMemoryFraction: 0.7, customTags: tags }).sparkEnvVars.GPU_MEMORY_FRACTION).toBe("0.7");
    });

    it("accepts every A100 type (40 GB and 80 GB) and refuses the seed's Azure-style name", () => {
        for (const nodeType of a100NodeTypeNames) {
            expect(() => gpuClusterSpec({ sparkVersion: "15.4.x-gpu-ml-scala2.12", nodeType, customTags: tags })).not.toThrow();
        }
        expect(a100NodeTypes["a2-ultragpu-1g"].variant).toBe("a100-80gb");
        expect(a100NodeTypes["a2-highgpu-8g"]).toEqual({ gpus: 8, variant: "a100-40gb" });
        expect(() => gpuClusterSpec({ sparkVersion: "15.4.x-gpu-ml-scala2.12", nodeType: "Standard_A100_v5", customTags: tags })).toThrow(
            /nodeTypeId "Standard_A100_v5": expected an A100 type or a CPU type/,
        );
    });

    it("refuses the seed's 'ML Runtime 14.3' text and a CPU runtime on a GPU", () => {
        expect(() => gpuClusterSpec({ sparkVersion: "ML Runtime 14.3", nodeType: "a2-highgpu-1g", customTags: tags })).toThrow(/expected a GPU ML runtime such as 15.4.x-gpu-ml-scala2.12/);
        expect(() => gpuClusterSpec({ sparkVersion: "14.3.x-cpu-ml-scala2.12", nodeType: "a2-highgpu-1g", customTags: tags })).toThrow(/GPU ML runtime/);
    });
});

describe("Photon cluster spec", () => {
    it("runs Photon on a CPU node with the standard runtime, spot workers, driver on demand", () => {
        expect(photon()).toMatchObject({
            sparkVersion: "15.4.x-scala2.12",
            nodeTypeId: "n2-highmem-8",
            runtimeEngine: "PHOTON",
            gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 1 },
            sparkEnvVars: {},
        });
    });

    it("refuses Photon on a GPU node", () => {
        expect(() => photonClusterSpec({ sparkVersion: "15.4.x-scala2.12", nodeType: "a2-highgpu-1g", customTags: tags })).toThrow(
            /runtimeEngine "PHOTON" on a2-highgpu-1g: Photon does not run on GPU instances/,
        );
    });
});

describe("clusterSpecProblems", () => {
    const with_ = (base: ClusterSpec, change: Partial<ClusterSpec>): ClusterSpec => ({ ...base, ...change });

    it("finds nothing wrong with the specs it builds", () => {
        expect(clusterSpecProblems(gpu())).toEqual([]);
        expect(clusterSpecProblems(photon())).toEqual([]);
    });

    it.each<[string, Partial<ClusterSpec>, RegExp]>([
        ["Photon on GPU", { runtimeEngine: "PHOTON" }, /Photon does not run on GPU instances/],
        ["the seed's High Concurrency (shared) mode", { dataSecurityMode: "USER_ISOLATION" }, /needs dedicated access \("SINGLE_USER"\)/],
        ["an on-demand share of zero (driver on spot)", { gcpAttributes: { availability: "PREEMPTIBLE_WITH_FALLBACK_GCP", firstOnDemand: 0, zoneId: "AUTO" } }, /firstOnDemand 0: expected at least 1/],
        ["a CPU driver", { driverNodeTypeId: "n2-highmem-8" }, /GPU compute needs a GPU driver type/],
        ["an H100 type", { nodeTypeId: "a3-highgpu-8g", driverNodeTypeId: "a3-highgpu-8g" }, /expected an A100 type/],
    ])("on a GPU cluster, refuses %s", (_, change, problem) => {
        expect(clusterSpecProblems(with_(gpu(), change)).join("\n")).toMatch(problem);
    });

    it("on a CPU cluster, refuses a GPU runtime and an ML runtime under Photon", () => {
        expect(clusterSpecProblems(with_(photon(), { sparkVersion: "15.4.x-gpu-ml-scala2.12" })).join("\n")).toMatch(/a GPU runtime needs a GPU node type/);
        expect(clusterSpecProblems(with_(photon(), { sparkVersion: "14.3.x-cpu-ml-scala2.12" })).join("\n")).toMatch(/Photon runs the standard runtime/);
    });
});

describe("a cluster's Google identity", () => {
    it("runs a CPU cluster as a Google service account when given one, and checks it is one", () => {
        const spec = photonClusterSpec({
            sparkVersion: "15.4.x-scala2.12",
            nodeType: "n2-highmem-4",
            customTags: tags,
            googleServiceAccount: "ml-cost-tracking@acme-ml-dev.iam.gserviceaccount.com",
        });
        expect(spec.gcpAttributes).toEqual({
            availability: "PREEMPTIBLE_WITH_FALLBACK_GCP",
            firstOnDemand: 1,
            zoneId: "HA",
            googleServiceAccount: "ml-cost-tracking@acme-ml-dev.iam.gserviceaccount.com",
        });
        expect(photon().gcpAttributes).not.toHaveProperty("googleServiceAccount");
        expect(() => photonClusterSpec({ sparkVersion: "15.4.x-scala2.12", nodeType: "n2-highmem-4", customTags: tags, googleServiceAccount: "ml-cost-tracking" })).toThrow(
            /gcpAttributes.googleServiceAccount "ml-cost-tracking": expected a service account e-mail/,
        );
    });
});

describe("the runtime of dedicated access", () => {
    const with_ = (base: ClusterSpec, change: Partial<ClusterSpec>): ClusterSpec => ({ ...base, ...change });
    it("refuses the plan's 14.3 on dedicated clusters, GPU and CPU alike, naming the runtime to use", () => {
        expect(() => gpuClusterSpec({ sparkVersion: "14.3.x-gpu-ml-scala2.12", nodeType: "a2-highgpu-1g", customTags: tags })).toThrow(
            /sparkVersion "14.3.x-gpu-ml-scala2.12": dedicated access needs Databricks Runtime 15.4 LTS or later .* such as 15.4.x-gpu-ml-scala2.12/,
        );
        expect(() => photonClusterSpec({ sparkVersion: "14.3.x-scala2.12", nodeType: "n2-highmem-8", customTags: tags })).toThrow(/such as 15.4.x-scala2.12/);
    });

    it("accepts 15.4 LTS and every later runtime", () => {
        for (const version of ["15.4.x-gpu-ml-scala2.12", "16.0.x-gpu-ml-scala2.12", "16.4.x-gpu-ml-scala2.13", "17.3.x-gpu-ml-scala2.13"]) {
            expect(clusterSpecProblems(with_(gpu(), { sparkVersion: version })), version).toEqual([]);
        }
        expect(clusterSpecProblems(with_(gpu(), { sparkVersion: "15.3.x-gpu-ml-scala2.12" })).join("\n")).toMatch(/15.4 LTS or later/);
    });
});
