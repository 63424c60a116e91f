/**
 * The program. `migration:phase` selects how far the stack has moved; phases are cumulative,
 * so phase N deploys phase 0..N. Config is validated before any resource is created.
 *
 * Exported as a function: Pulumi's Node.js host calls it and uses the result as the stack's
 * outputs, and the offline engine runs it the same way.
 */
import { loadConfig } from "./config";
import { checkDeployedTableSchemas, dataPhaseOutput, readOwnSnapshot, retainedDataPhase } from "./dataLayer";
import * as pulumi from "@pulumi/pulumi";
import { maxPhase } from "../domain/targets";
import { protectStateful } from "../components/stateful";
import { createContext } from "./phases/context";
import { phaseRegistry } from "./phases/registry";
import { runPhases } from "./phases/runner";

export = async () => {
    // Every component applies the stateful rule to what it creates; this covers what a phase creates outside one (components/stateful.ts).
    pulumi.runtime.registerStackTransformation(protectStateful);
    const config = loadConfig();
    // Phases this program can deploy (domain/targets.ts): a stack configured beyond them is refused, not half-built.
    if (config.phase > maxPhase) {
        throw new Error(`migration:phase = ${config.phase}: this program deploys phases 0 to ${maxPhase}`);
    }
    // What the stack holds, whether the update that created it finished or not (stacks/dataLayer.ts).
    const snapshot = await readOwnSnapshot();
    checkDeployedTableSchemas(snapshot);
    const dataPhase = retainedDataPhase(config.phase, snapshot);
    const ctx = createContext(config);
    // A phase's data layer stays once the stack holds any of it (dataPhase); its compute follows migration:phase.
    const { outputs } = runPhases(phaseRegistry, ctx, { dataPhase, phase: config.phase });

    return {
        phase: config.phase,
        [dataPhaseOutput]: dataPhase,
        ...outputs,
    };
};
