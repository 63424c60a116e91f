/**
 * The program. `migration:phase` selects how far the stack has moved; phases are cumulative,
 * so phase N deploys phase 0..N. Config is validated before any resource is created.
 *
 * Exported as a function: Pulumi's Node.js host calls it and uses the result as the stack's
 * outputs, and the offline engine runs it the same way.
 */
import { loadConfig } from "./config";
import { dataPhaseOutput, retainedDataPhase } from "./dataLayer";
import { createContext } from "./phases/context";
import { phase0 } from "./phases/phase0";

/** Phases this program can deploy; a stack configured beyond them is refused, not half-built. */
const implementedPhases = 1;

export = async () => {
    const config = loadConfig();
    if (config.phase >= implementedPhases) {
        throw new Error(
            `migration:phase = ${config.phase}: this program deploys phases 0 to ${implementedPhases - 1}`,
        );
    }
    const dataPhase = await retainedDataPhase(config.phase);
    const ctx = createContext(config);
    const baseline = phase0(ctx);

    return {
        phase: config.phase,
        [dataPhaseOutput]: dataPhase,
        network: baseline.network.network.name,
        subnet: baseline.network.subnet.name,
        gkeCluster: baseline.gke.cluster.name,
        h100NodePools: Object.values(baseline.h100).map((pool) => pool.nodePool.name),
        c4aNodePool: baseline.c4a.nodePool.name,
        billingExportDataset: baseline.costMonitoring.billingExport.datasetId,
        budgetAlertsTopic: baseline.costMonitoring.alertsTopic.id,
    };
};
