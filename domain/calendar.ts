/** Calendar facts the budgets, the cost model and the pack share. */

/** Days in an average month: the budget API has no daily period, so a daily limit is scaled by it. */
export const daysPerMonth = 365 / 12;
