import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { splitBySpotShare } from "../../../domain/gcp/spotSplit";

describe("splitBySpotShare", () => {
    it("splits the seed's prod pool 60% spot, keeping the floor on demand", () => {
        expect(splitBySpotShare({ min: 2, max: 8 }, 0.6)).toEqual({
            spot: { min: 0, max: 5 },
            onDemand: { min: 2, max: 3 },
        });
    });

    it("puts everything on spot at share 1 and on demand at share 0", () => {
        expect(splitBySpotShare({ min: 0, max: 1 }, 1)).toEqual({ spot: { min: 0, max: 1 }, onDemand: { min: 0, max: 0 } });
        expect(splitBySpotShare({ min: 1, max: 4 }, 0)).toEqual({ spot: { min: 0, max: 0 }, onDemand: { min: 1, max: 4 } });
    });

    it("does not round a share that is exact in decimal past its value", () => {
        // 10 * 0.7 is 7.000000000000001 in binary floating point.
        expect(splitBySpotShare({ min: 0, max: 10 }, 0.7).spot.max).toBe(7);
    });

    it("rejects bounds and shares outside their ranges, naming the value", () => {
        expect(() => splitBySpotShare({ min: 3, max: 2 }, 0.5)).toThrow(/min=3, max=2/);
        expect(() => splitBySpotShare({ min: 0, max: 2 }, 1.5)).toThrow(/spot share 1.5/);
        expect(() => splitBySpotShare({ min: -1, max: 2 }, 0.5)).toThrow(/min=-1/);
    });

    const bounds = fc
        .tuple(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 200 }))
        .map(([a, b]) => ({ min: Math.min(a, b), max: Math.max(a, b) }));
    const share = fc.double({ min: 0, max: 1, noNaN: true });

    it("conserves capacity and the floor", () => {
        fc.assert(
            fc.property(bounds, share, (total, s) => {
                const { spot, onDemand } = splitBySpotShare(total, s);
                expect(spot.max + onDemand.max).toBe(total.max);
                expect(spot.min + onDemand.min).toBe(total.min);
                expect(spot.min).toBeLessThanOrEqual(spot.max);
                expect(onDemand.min).toBeLessThanOrEqual(onDemand.max);
                expect(Math.min(spot.min, onDemand.min, spot.max, onDemand.max)).toBeGreaterThanOrEqual(0);
            }),
        );
    });

    it("always meets the spot share of capacity", () => {
        fc.assert(
            fc.property(bounds.filter((b) => b.max > 0), share, (total, s) => {
                const { spot } = splitBySpotShare(total, s);
                expect(spot.max / total.max).toBeGreaterThanOrEqual(s - 1e-9);
                // ...and by no more than one node.
                expect(spot.max - 1).toBeLessThan(total.max * s + 1e-9);
            }),
        );
    });

    it("keeps each pool's floor below its maximum while the total floor allows, so idle nodes can go", () => {
        expect(splitBySpotShare({ min: 2, max: 4 }, 0.6)).toEqual({ spot: { min: 2, max: 3 }, onDemand: { min: 0, max: 1 } });
        fc.assert(
            fc.property(bounds, share, (total, s) => {
                const { spot, onDemand } = splitBySpotShare(total, s);
                const pools = [spot, onDemand].filter((p) => p.max > 0);
                if (total.min <= total.max - pools.length) {
                    for (const pool of pools) expect(pool.min).toBeLessThan(pool.max);
                }
            }),
        );
    });

    it("keeps the floor on demand first, up to one below its maximum", () => {
        fc.assert(
            fc.property(bounds, share, (total, s) => {
                const { spot, onDemand } = splitBySpotShare(total, s);
                if (spot.min > 0 && onDemand.max > 0) expect(onDemand.min).toBeGreaterThanOrEqual(onDemand.max - 1);
            }),
        );
    });

    it("never moves capacity to on-demand when the share grows", () => {
        fc.assert(
            fc.property(bounds, share, share, (total, a, b) => {
                const [low, high] = a <= b ? [a, b] : [b, a];
                expect(splitBySpotShare(total, high).spot.max).toBeGreaterThanOrEqual(splitBySpotShare(total, low).spot.max);
            }),
        );
    });
});
