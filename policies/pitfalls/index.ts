/** Correctness guardrails from the pitfalls of translating the seed to today's platforms. */
import { c4aHyperdisk } from "./c4aHyperdisk";
import { noDbfsMounts } from "./dbfsMounts";
import { deltaTableSafety } from "./deltaTables";
import { dedicatedAccessRuntime } from "./dedicatedRuntime";
import { googleApisEnabled } from "./googleApisEnabled";
import { gpuRuntimeDedicatedAccess } from "./gpuRuntimeAccessMode";
import { databricksJobIdentity } from "./jobIdentity";
import { noPhotonOnGpu } from "./photonOnGpu";

export const pitfallPolicies = [noPhotonOnGpu, gpuRuntimeDedicatedAccess, noDbfsMounts, deltaTableSafety, c4aHyperdisk, googleApisEnabled, dedicatedAccessRuntime, databricksJobIdentity];
