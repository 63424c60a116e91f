/**
 * How often a Databricks job schedule fires: Quartz cron expressions (the syntax of
 * `schedule.quartzCronExpression`) counted over an average month.
 *
 * The count walks every minute of a non-leap year and divides by 12, so "0 0 * * * ?"
 * (hourly) gives 730 runs, matching the 730 hours of an average month. Seconds fields
 * multiply the count. Time zones and daylight saving do not change a monthly count and are
 * ignored. Forms that depend on the calendar in ways this counter does not model (L, W, #,
 * a year field other than *) are refused with a message, never counted as zero.
 */

export class CronError extends Error {
    constructor(
        readonly expression: string,
        reason: string,
    ) {
        super(`schedule "${expression}": ${reason}`);
        this.name = "CronError";
    }
}

const monthNames = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const dayNames = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
    name: string;
    min: number;
    max: number;
    /** Name → value (Quartz: JAN=1, SUN=1). */
    names?: readonly string[];
}

const fields: FieldSpec[] = [
    { name: "seconds", min: 0, max: 59 },
    { name: "minutes", min: 0, max: 59 },
    { name: "hours", min: 0, max: 23 },
    { name: "day-of-month", min: 1, max: 31 },
    { name: "month", min: 1, max: 12, names: monthNames },
    { name: "day-of-week", min: 1, max: 7, names: dayNames },
];

/** The set of values a field matches, or undefined for "any" (`*` or `?`). */
function parseField(expression: string, text: string, spec: FieldSpec): Set<number> | undefined {
    if (text === "*" || text === "?") return undefined;
    const withoutNames = text.toUpperCase().replace(/[A-Z]{3}/g, (word) => (spec.names?.includes(word) ? "" : word));
    if (/[LW#]/.test(withoutNames)) {
        throw new CronError(expression, `${spec.name} "${text}" uses L, W or #, which the cost model does not count; set runsPerMonth for this job in migration:cost.jobs`);
    }
    const value = (token: string): number => {
        const upper = token.toUpperCase();
        const named = spec.names?.indexOf(upper) ?? -1;
        const n = named >= 0 ? named + 1 : Number(token);
        if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
            throw new CronError(expression, `${spec.name} "${token}" is not a value from ${spec.min} to ${spec.max}`);
        }
        return n;
    };
    const result = new Set<number>();
    for (const part of text.split(",")) {
        const [range, stepText] = part.split("/");
        const step = stepText === undefined ? 1 : Number(stepText);
        if (!Number.isInteger(step) || step < 1) throw new CronError(expression, `${spec.name} step "${stepText}" is not a positive integer`);
        let from: number;
        let to: number;
        if (range === "*" || range === "?") {
            [from, to] = [spec.min, spec.max];
        } else if (range.includes("-")) {
            const [a, b] = range.split("-");
            [from, to] = [value(a), value(b)];
        } else {
            from = value(range);
            to = stepText === undefined ? from : spec.max;
        }
        if (to < from) throw new CronError(expression, `${spec.name} range "${range}" runs backwards`);
        for (let v = from; v <= to; v += step) result.add(v);
    }
    return result;
}

/** Runs a month of a Quartz cron expression, averaged over a year. */
export function runsPerMonth(expression: string): number {
    const parts = expression.trim().split(/\s+/);
    if (parts.length < 6 || parts.length > 7) {
        throw new CronError(expression, `expected 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), found ${parts.length}`);
    }
    if (parts.length === 7 && parts[6] !== "*") {
        throw new CronError(expression, `a year field ("${parts[6]}") is not counted; set runsPerMonth for this job in migration:cost.jobs`);
    }
    const [seconds, minutes, hours, dom, month, dow] = fields.map((spec, i) => parseField(expression, parts[i], spec));
    // "*" in the seconds field fires every second: valid, if unusual, and counted as such.
    const perMinute = seconds ? seconds.size : 60;
    const hourCount = hours ? hours.size : 24;
    const minuteCount = minutes ? minutes.size : 60;

    // Quartz: when both day fields are restricted, the day matches if either does.
    const dayMatches = (date: Date): boolean => {
        const d = date.getUTCDate();
        const w = date.getUTCDay() + 1;
        if (dom && dow) return dom.has(d) || dow.has(w);
        if (dom) return dom.has(d);
        if (dow) return dow.has(w);
        return true;
    };

    let fires = 0;
    const year = 2025; // a non-leap year: 365 days, so 8,760 hours / 12 = 730 a month
    for (let day = new Date(Date.UTC(year, 0, 1)); day.getUTCFullYear() === year; day = new Date(day.getTime() + 86_400_000)) {
        if (month && !month.has(day.getUTCMonth() + 1)) continue;
        if (!dayMatches(day)) continue;
        fires += hourCount * minuteCount * perMinute;
    }
    return fires / 12;
}
