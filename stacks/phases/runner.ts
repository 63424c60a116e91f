/**
 * Runs an ordered registry of phases. Each phase has up to two parts, its data layer and its
 * compute, each named (`data1`, `compute1`, …) and each a function of the context and of the
 * parts deployed before it, which it declares by name (`needs`) and receives by name, typed.
 *
 * The runner keeps the program's rules in one place:
 *   - a data part runs while the data phase (stacks/dataLayer.ts) has reached its phase, and
 *     only on top of every earlier phase's data part: data layers are cumulative;
 *   - a compute part runs while `migration:phase` has reached its phase;
 *   - either runs only when every part it needs was deployed, so compute whose data is absent
 *     is not deployed.
 * Parts run in the registry's order, data before compute within a phase, so the resources are
 * constructed in the same order whatever the phases.
 *
 * Generic over the parts and the context, so that its rules are tested without a stack.
 */

/** One part of a phase: `Name` in the accumulated parts, built from the parts `Needs` names. */
export interface PhasePart<Parts, Ctx, Name extends keyof Parts, Needs extends keyof Parts> {
    readonly name: Name;
    /** The parts deployed before this one that it is built from; without any of them it is not deployed. */
    readonly needs: readonly Needs[];
    deploy(ctx: Ctx, deployed: Pick<Parts, Needs>): Parts[Name];
    /** The stack outputs this part contributes. */
    outputs?(part: Parts[Name], ctx: Ctx): Record<string, unknown>;
}

/** Any part of the registry, whatever its name and needs (`definePart` checks each). */
export type AnyPhasePart<Parts, Ctx> = PhasePart<Parts, Ctx, keyof Parts, keyof Parts>;

export interface PhaseEntry<Parts, Ctx> {
    readonly phase: number;
    readonly data?: AnyPhasePart<Parts, Ctx>;
    readonly compute?: AnyPhasePart<Parts, Ctx>;
}

/**
 * The part builder for one set of parts: infers a part's name and needs, so that `deploy`
 * receives exactly the parts it names, typed, and returns the type its name stands for.
 */
export function partBuilder<Parts, Ctx>() {
    return <Name extends keyof Parts, Needs extends keyof Parts = never>(
        part: PhasePart<Parts, Ctx, Name, Needs>,
    ): AnyPhasePart<Parts, Ctx> => part as unknown as AnyPhasePart<Parts, Ctx>;
}

/** How far the stack goes: its data layer (held once created) and `migration:phase`. */
export interface PhaseLevels {
    dataPhase: number;
    phase: number;
}

export interface PhaseRun<Parts> {
    /** The parts deployed, by name. */
    deployed: Partial<Parts>;
    /** The stack outputs of the deployed parts, in the registry's order. */
    outputs: Record<string, unknown>;
}

export class PhaseRegistryError extends Error {}

/**
 * Checks the registry's shape: phases in increasing order, part names unique, and every part
 * needing only parts that come before it (so the registry's order is an order they can run in).
 */
export function checkRegistry<Parts, Ctx>(registry: readonly PhaseEntry<Parts, Ctx>[]): void {
    const seen = new Set<keyof Parts>();
    let previous = -Infinity;
    for (const entry of registry) {
        if (!(entry.phase > previous)) throw new PhaseRegistryError(`phase ${entry.phase} follows phase ${previous}: the registry lists phases in increasing order`);
        previous = entry.phase;
        for (const part of [entry.data, entry.compute]) {
            if (!part) continue;
            const missing = part.needs.filter((need) => !seen.has(need));
            if (missing.length > 0) {
                throw new PhaseRegistryError(`phase ${entry.phase}: ${String(part.name)} needs ${missing.map(String).join(", ")}, which no part before it deploys`);
            }
            if (seen.has(part.name)) throw new PhaseRegistryError(`phase ${entry.phase}: a part named ${String(part.name)} is already registered`);
            seen.add(part.name);
        }
    }
}

export function runPhases<Parts, Ctx>(registry: readonly PhaseEntry<Parts, Ctx>[], ctx: Ctx, levels: PhaseLevels): PhaseRun<Parts> {
    checkRegistry(registry);
    const deployed: Partial<Parts> = {};
    const outputs: Record<string, unknown> = {};
    const deploy = (part: AnyPhasePart<Parts, Ctx>): boolean => {
        if (!part.needs.every((need) => deployed[need] !== undefined)) return false;
        const needed = Object.fromEntries(part.needs.map((need) => [need, deployed[need]])) as Pick<Parts, keyof Parts>;
        const value = part.deploy(ctx, needed);
        deployed[part.name] = value;
        Object.assign(outputs, part.outputs?.(value, ctx));
        return true;
    };
    let dataLayerComplete = true;
    for (const entry of registry) {
        if (entry.data) {
            dataLayerComplete = dataLayerComplete && levels.dataPhase >= entry.phase && deploy(entry.data);
        }
        if (entry.compute && levels.phase >= entry.phase) deploy(entry.compute);
    }
    return { deployed, outputs };
}
