import { describe, expect, it } from "vitest";
import { c4aMachineTypePattern, h100MachineTypes } from "../../../domain/configSchema";
import { catalogEntries, checkProvenance, defaultCatalog, withOverrides } from "../../../tools/model/cost/catalog";
import { gpusOfMachineType, isGpuMachineType } from "../../../domain/gcp/machineTypes";

const machines = defaultCatalog.gcp.machines;

describe("the price catalog", () => {
    it("gives every price a source and date, or marks it an assumption with a reason", () => {
        expect(checkProvenance(defaultCatalog)).toEqual([]);
        expect(catalogEntries(defaultCatalog).length).toBeGreaterThan(80);
    });

    it("catches an entry without a pedigree", () => {
        const copy = structuredClone(defaultCatalog);
        delete (copy.gcp.disks["pd-ssd"] as { asOf?: string }).asOf;
        (copy.gcp.machines["a2-highgpu-1g"] as { source?: string }).source = "somewhere";
        copy.databricks.nodeDbuPerHour["n2-highmem-4"] = { dbuPerHour: 1, assumption: true, reason: "" };
        expect(checkProvenance(copy)).toEqual([
            "gcp.machines.a2-highgpu-1g: source \"somewhere\" is not one of " + Object.keys(copy.sources).join(", "),
            "gcp.disks.pd-ssd: no asOf date",
            "databricks.nodeDbuPerHour.n2-highmem-4: an assumption without a reason",
        ]);
    });

    it("prices every machine type the stack config accepts, on demand and spot, spot cheaper", () => {
        const accepted = [
            ...Object.keys(h100MachineTypes),
            ...["standard", "highmem", "highcpu"].flatMap((shape) => [1, 2, 4, 8, 16, 32, 48, 64, 72].map((n) => `c4a-${shape}-${n}`)),
        ];
        expect(accepted.filter((t) => t.startsWith("c4a-")).every((t) => c4aMachineTypePattern.test(t))).toBe(true);
        for (const type of accepted) {
            expect(machines[type], type).toBeDefined();
            expect(machines[type].spotUsdPerHour!, type).toBeLessThan(machines[type].onDemandUsdPerHour!);
        }
    });

    it("covers the A100 types Databricks clusters use, with DBU rates, and the CPU data-prep types", () => {
        for (const type of ["a2-highgpu-1g", "a2-highgpu-2g", "a2-highgpu-4g", "a2-highgpu-8g", "a2-ultragpu-1g", "a2-ultragpu-8g", "n2-highmem-4", "n2-highmem-8", "n2-standard-8"]) {
            expect(machines[type], type).toBeDefined();
            expect(defaultCatalog.databricks.nodeDbuPerHour[type], type).toBeDefined();
        }
        expect(Object.keys(defaultCatalog.databricks.dbuRates).sort()).toEqual(
            ["allPurpose", "allPurposePhoton", "jobs", "jobsPhoton", "sqlClassic", "sqlPro", "sqlServerless"].sort(),
        );
        expect(defaultCatalog.databricks.dbuRates.jobsPhoton.usdPerDbu).toBeGreaterThan(defaultCatalog.databricks.dbuRates.jobs.usdPerDbu);
    });

    it("keeps the bundled GPUs consistent with the config's accelerator map", () => {
        for (const [type, { accelerator, count }] of Object.entries(h100MachineTypes)) {
            expect(machines[type].accelerator).toEqual({ type: accelerator, count });
        }
    });

    it("counts every machine's GPUs as the one machine-type rule does", () => {
        const priced = Object.entries(machines).filter(([type]) => isGpuMachineType(type));
        expect(priced.length).toBeGreaterThan(8);
        for (const [type, machine] of priced) expect(machine.accelerator?.count, type).toBe(gpusOfMachineType(type));
        for (const [type, machine] of Object.entries(machines)) if (!isGpuMachineType(type)) expect(machine.accelerator, type).toBeUndefined();
    });

    it("records the published list prices it was built from", () => {
        expect(machines["a3-highgpu-8g"]).toMatchObject({ onDemandUsdPerHour: 88.49, spotUsdPerHour: 35.39575, source: "gcp-billing-catalog" });
        expect(machines["a3-megagpu-8g"]).toMatchObject({ assumption: true });
        expect(defaultCatalog.gcp.disks["pd-ssd"].usdPerGbMonth).toBe(0.17);
        expect(defaultCatalog.gcp.gcs.STANDARD.regionUsdPerGbMonth).toBe(0.02);
        expect(defaultCatalog.databricks.sqlWarehouseDbuPerHour["2X-Small"].dbuPerHour).toBe(4);
    });
});

describe("withOverrides", () => {
    it("returns a changed copy and leaves the shipped catalog alone", () => {
        const changed = withOverrides(defaultCatalog, { "gcp.machines.a3-highgpu-8g.spotUsdPerHour": 30 });
        expect(changed.gcp.machines["a3-highgpu-8g"]).toMatchObject({ spotUsdPerHour: 30, overridden: true });
        expect(defaultCatalog.gcp.machines["a3-highgpu-8g"].spotUsdPerHour).toBe(35.39575);
        expect(checkProvenance(changed)).toEqual([]);
    });

    it("refuses an entry that does not exist in a closed group", () => {
        expect(() => withOverrides(defaultCatalog, { "databricks.dbuRates.gold.usdPerDbu": 1 })).toThrow(
            /migration:cost\.priceOverrides\.databricks\.dbuRates\.gold\.usdPerDbu = 1: expected an existing entry of databricks\.dbuRates: jobs, jobsPhoton/,
        );
    });
});
