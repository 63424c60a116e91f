/** Promotion gates (seed "Success Metrics"). */
import { promotionGate } from "./promotionGate";

export const gatePolicies = [promotionGate];
