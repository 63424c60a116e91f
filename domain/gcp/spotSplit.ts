/**
 * How a pool's capacity is divided between spot and on-demand node pools. Pure, so it is
 * tested on its own (including property tests) and reused by the policy pack's arithmetic.
 *
 * The spot side is rounded up, so the configured spot share of capacity is always met. The
 * floor (`min`) is kept on on-demand capacity first: it is the capacity that must survive
 * a preemption wave, and spot can be reclaimed at any moment. A pool's floor stays below its
 * maximum while the total floor allows, so every pool can still remove idle nodes (the
 * seed's idle rule); only a floor that fills both pools pins them.
 */

export interface NodeBounds {
    min: number;
    max: number;
}

export interface SpotSplit {
    spot: NodeBounds;
    onDemand: NodeBounds;
}

export function splitBySpotShare(total: NodeBounds, spotShare: number): SpotSplit {
    if (!Number.isInteger(total.min) || !Number.isInteger(total.max) || total.min < 0 || total.max < total.min) {
        throw new RangeError(
            `node bounds min=${total.min}, max=${total.max}: expected integers with 0 ≤ min ≤ max`,
        );
    }
    if (!(spotShare >= 0 && spotShare <= 1)) {
        throw new RangeError(`spot share ${spotShare}: expected a number from 0 to 1`);
    }
    // Guard against binary fractions such as 0.7 * 10 = 7.000000000000001 rounding up to 8.
    const spotMax = Math.ceil(Number((total.max * spotShare).toFixed(9)));
    const onDemandMax = total.max - spotMax;
    const belowMax = (max: number) => Math.max(max - 1, 0);
    let onDemandMin = Math.min(total.min, belowMax(onDemandMax));
    let spotMin = Math.min(total.min - onDemandMin, belowMax(spotMax));
    // A floor too high to leave both pools room: fill on-demand, then spot, to their maxima.
    const rest = total.min - onDemandMin - spotMin;
    const toOnDemand = Math.min(rest, onDemandMax - onDemandMin);
    onDemandMin += toOnDemand;
    spotMin += rest - toOnDemand;
    return {
        spot: { min: spotMin, max: spotMax },
        onDemand: { min: onDemandMin, max: onDemandMax },
    };
}
