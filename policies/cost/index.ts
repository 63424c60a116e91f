/** Seed "Cost optimization rules" (Week 4) and the monitoring cost alert, one policy per rule. */
import { databricksAutotermination } from "./databricksAutotermination";
import { databricksSpotShare, databricksSpotWorkers } from "./databricksSpot";
import { costRatioPolicies } from "./costRatio";
import { dailyCostAlert } from "./dailyCostAlert";
import { gkeGpuAutoscaling, gkeGpuSpotShare } from "./gkeGpuCapacity";
import { gpuMemoryFraction } from "./gpuMemoryFraction";
import { utilizationAlerts } from "./utilizationAlerts";

export const costPolicies = [
    databricksAutotermination,
    databricksSpotWorkers,
    databricksSpotShare,
    gkeGpuSpotShare,
    gkeGpuAutoscaling,
    dailyCostAlert,
    utilizationAlerts,
    gpuMemoryFraction,
    ...costRatioPolicies,
];
