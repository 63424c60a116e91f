import { describe, expect, it } from "vitest";
import { CronError, runsPerMonth } from "../../../tools/model/cost/cron";

describe("runsPerMonth", () => {
    it.each([
        ["0 0 * * * ?", 730], // the seed's model_training schedule: hourly
        ["0 0 2 * * ?", 365 / 12],
        ["0 0/15 * * * ?", 2920],
        ["0 0 9 ? * MON-FRI", 261 / 12], // 2025 has 261 weekdays
        ["0 30 1 ? * SUN", 52 / 12],
        ["0 0 0 1 * ?", 1],
        ["0 0 6 1 JAN,JUL ?", 2 / 12],
        ["0,30 0 * * * ?", 1460],
        ["0 0 * * * ? *", 730],
    ])("%s fires %d times a month", (expression, runs) => {
        expect(runsPerMonth(expression)).toBeCloseTo(runs, 9);
    });

    it.each([
        ["0 0 0 L * ?", /uses L, W or #/],
        ["0 0 12 ? * 6#3", /uses L, W or #/],
        ["0 0 * * *", /expected 6 or 7 fields/],
        ["0 0 25 * * ?", /hours "25" is not a value from 0 to 23/],
        ["0 0 0 1 1 ? 2030", /a year field/],
    ])("refuses %s rather than guessing", (expression, message) => {
        expect(() => runsPerMonth(expression)).toThrow(CronError);
        expect(() => runsPerMonth(expression)).toThrow(message);
    });
});
