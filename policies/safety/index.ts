/** Safety and security: data kept, nothing public, no plaintext credentials, costs attributable. */
import { deltaSchemaEvolution } from "./deltaSchemaEvolution";
import { gkePrivateNodes } from "./gkePrivateNodes";
import { providerSecrets } from "./providerSecrets";
import { noPublicIam } from "./publicIam";
import { requiredLabels } from "./requiredLabels";
import { statefulResourcesProtected } from "./statefulProtected";

export const safetyPolicies = [statefulResourcesProtected, deltaSchemaEvolution, gkePrivateNodes, noPublicIam, providerSecrets, requiredLabels];
