// @ts-check
/**
 * The `migration` command table: every command, its options, its help, an example and the
 * module that runs it. It is the only list of commands and options: the parser, the help
 * texts and the docs checks read it.
 *
 * Plain JavaScript with no dependency beyond Node itself, so that bin/migration.js answers
 * `--help`, `--version`, a command's `--help` and every malformed command line from here,
 * before it compiles any TypeScript or loads a command's code (the GCP SDK, gRPC, zod…).
 */
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { parseStackName } = require("../engine/stackName");
const { wrap } = require("../report/wrap");

/** The highest phase; domain/targets.ts owns it, and a test holds the two equal. */
const maxPhase = 3;
/** Seconds an evaluation may go without registering a resource; tools/engine/pool.ts owns it, a test holds the two equal. */
const defaultEvalTimeoutSeconds = 120;

/**
 * @typedef {"string" | "boolean"} OptionType
 * @typedef {"phase" | "phaseOrAll" | "seconds" | "stack"} ValueKind
 * @typedef {{
 *   type: OptionType,
 *   value?: string,
 *   help: string,
 *   kind?: ValueKind,
 *   choices?: readonly string[],
 * }} OptionSpec
 * @typedef {{ name: string, summary: string, description?: string, options: Record<string, Partial<OptionSpec> & CommandOptionRule>,
 *   examples: readonly string[], module: "plan" | "lifecycle", exitCodes: string }} CommandSpec
 * @typedef {{ required?: string, onlyWith?: string, notWith?: string }} CommandOptionRule
 *   required: the option must be given (the text says why); onlyWith / notWith: another option
 *   this one needs, or excludes.
 */

/** @type {Record<string, OptionSpec>} */
const options = {
    stack: {
        type: "string",
        value: "NAME",
        kind: "stack",
        help: "the stack: NAME, or ORG/NAME or ORG/PROJECT/NAME as Pulumi Cloud writes it; its file is Pulumi.<NAME>.yaml (default: dev)",
    },
    phase: {
        type: "string",
        value: "N|all",
        kind: "phaseOrAll",
        help: `phase to plan, 0-${maxPhase} (default: all); only for stacks that set the phase key`,
    },
    base: { type: "string", value: "REF", help: "the git ref to compare with (default: the merge base of HEAD with the default branch)" },
    cwd: { type: "string", value: "DIR", help: "the Pulumi project directory (default: .)" },
    "policy-pack": {
        type: "string",
        value: "DIR|none",
        help: 'CrossGuard pack to run (default: <cwd>/policies when present; "none" runs no policy on purpose)',
    },
    "policy-config": { type: "string", value: "FILE", help: "policy config, in the format of `pulumi up --policy-pack-config`" },
    "policy-timeout": { type: "string", value: "SECS", kind: "seconds", help: "longest wait for the pack to start or answer (default: 180)" },
    "eval-timeout": {
        type: "string",
        value: "SECS",
        kind: "seconds",
        help: `longest an evaluation may go without registering a resource (default: ${defaultEvalTimeoutSeconds}; the total grows with the program)`,
    },
    "phase-key": { type: "string", value: "KEY", help: "config key that selects the phase; the stack must set it (default: migration:phase)" },
    format: { type: "string", value: "FORMAT", choices: ["text", "markdown", "json", "sarif"], help: "report format (default: text)" },
    out: {
        type: "string",
        value: "FILE",
        help: "write the report to FILE instead of standard output (checked before any work: its folder must exist and be writable)",
    },
    quiet: { type: "boolean", help: "no progress on standard error (progress is shown only when it is a terminal)" },
    to: { type: "string", value: "N", kind: "phase", help: `the phase to go to, 0-${maxPhase}` },
    results: { type: "string", value: "FILE", help: "benchmark results: JSON { phase, metrics } or CSV metric,value | metric,databricks,gcp" },
    "results-table": {
        type: "string",
        value: "CATALOG.SCHEMA.TABLE",
        help: "the benchmark_results Delta table, through a SQL warehouse (env DATABRICKS_HOST, DATABRICKS_HTTP_PATH, DATABRICKS_TOKEN); the suite's ratios, a file gives the rest",
    },
    "dry-run": { type: "boolean", help: "show what the step does with the offline engine; change nothing" },
    gradual: { type: "boolean", help: "from phase 3: the seed's three stages of the workload share, then phase 0 (GCP); rerun to apply the step that is due" },
    abort: { type: "boolean", help: "with --gradual: stop the gradual rollback where it is" },
    "state-dir": { type: "string", value: "DIR", help: "history and lock (default: <cwd>/.migration/<stack>)" },
};

const planExit = "Exit codes: 0 success, 1 a mandatory policy violation (check only), 2 error.";
const lifecycleExit = "Exit codes: 0 done, 1 refused (gate, lock, aborted rollback, unsafe dry run), 2 bad input or error.";
const lifecycleStack = {
    help: "the stack to change (required); NAME, ORG/NAME or ORG/PROJECT/NAME",
    required: "a change is never made to a default stack",
};
const lifecyclePack = { help: "CrossGuard pack run by the update (default: <cwd>/policies when present)" };

/** @type {readonly CommandSpec[]} */
const commands = [
    {
        name: "plan",
        summary: "each phase's resources, promote and rollback previews, cost and policy verdict",
        options: { stack: {}, phase: {}, cwd: {}, "policy-pack": {}, "policy-config": {}, "policy-timeout": {}, "eval-timeout": {}, "phase-key": {}, format: {}, out: {}, quiet: {} },
        examples: ["migration plan --stack prod --phase 3", "migration plan --stack acme/dev --format markdown --out plan-dev.md"],
        module: "plan",
        exitCodes: planExit,
    },
    {
        name: "check",
        summary: "policies only: exit 0 when no mandatory violation, 1 when there is one",
        description: "Needs a policy pack: <cwd>/policies, --policy-pack DIR, or --policy-pack none to evaluate the program without any policy.",
        options: { stack: {}, phase: {}, cwd: {}, "policy-pack": {}, "policy-config": {}, "policy-timeout": {}, "eval-timeout": {}, "phase-key": {}, format: {}, out: {}, quiet: {} },
        examples: ["migration check --stack prod", "migration check --stack dev --format sarif --out dev.sarif"],
        module: "plan",
        exitCodes: planExit,
    },
    {
        name: "export",
        summary: "one phase's resource graph as a Pulumi stack export (deployment v3)",
        description: "Without --phase: the stack as its file configures it.",
        options: { stack: {}, phase: { value: "N", help: `the phase to export, 0-${maxPhase} (default: the stack as configured)` }, cwd: {}, "eval-timeout": {}, "phase-key": {}, out: {}, quiet: {} },
        examples: ["migration export --stack prod --phase 2 --out phase-2.json"],
        module: "plan",
        exitCodes: "Exit codes: 0 success, 2 error.",
    },
    {
        name: "cost",
        summary: "each phase's monthly and per-training cost against the phase-0 GCP baseline",
        description: "A project without phases is priced as configured.",
        options: { stack: {}, phase: {}, cwd: {}, "eval-timeout": {}, "phase-key": {}, format: { choices: ["text", "markdown", "json"] }, out: {}, quiet: {} },
        examples: ["migration cost --stack prod", "migration cost --stack prod --phase 3 --format markdown"],
        module: "plan",
        exitCodes: "Exit codes: 0 success, 2 error.",
    },
    {
        name: "diff",
        summary: "what the working tree changes against --base, per stack at its configured phase",
        description:
            "Resources, property paths old → new, replacements, cost before and after, new/fixed/unchanged policy findings. " +
            "Exit 1 as check, or when a stateful resource is deleted or replaced.",
        options: {
            base: {},
            stack: { help: "one stack, NAME or ORG/NAME or ORG/PROJECT/NAME (default: every stack)" },
            phase: { value: "N", help: `N on both sides, 0-${maxPhase} (default: each stack's configured phase)` },
            cwd: {},
            "policy-pack": {},
            "policy-config": {},
            "policy-timeout": {},
            "eval-timeout": {},
            "phase-key": {},
            format: {},
            out: {},
            quiet: {},
        },
        examples: ["migration diff --base origin/main", "migration diff --base HEAD~1 --stack prod --format markdown --out diff.md"],
        module: "plan",
        exitCodes: "Exit codes: 0 no blocking change, 1 a new mandatory violation or a stateful resource deleted or replaced, 2 error.",
    },
    {
        name: "policy-config",
        summary: "the pack config of the stack's configured phase, for `pulumi preview|up --policy-pack-config`",
        description: "Its policy config, validated against the policies of the project's pack (started as check starts it), and the cost baseline.",
        options: {
            stack: {},
            phase: { value: "N", help: `the phase (default: the stack's configured phase)` },
            cwd: {},
            "policy-config": {},
            "eval-timeout": {},
            "phase-key": {},
            out: {},
            quiet: {},
        },
        examples: ["migration policy-config --stack dev --out policy-config-dev.json"],
        module: "plan",
        exitCodes: "Exit codes: 0 success, 2 error.",
    },
    {
        name: "promote",
        summary: "one phase up, when the gate for leaving the current phase passes",
        description:
            "Changes the stack through the Pulumi Automation API. A step is read from the stack itself: rerunning an interrupted command retries the same step.",
        options: {
            stack: lifecycleStack,
            to: { help: `the next phase, 1-${maxPhase} (required)`, required: "the next phase" },
            results: {},
            "results-table": {},
            "dry-run": {},
            cwd: {},
            "policy-pack": lifecyclePack,
            "phase-key": {},
            "state-dir": {},
        },
        examples: ["migration promote --stack prod --to 2 --results benchmark.json"],
        module: "lifecycle",
        exitCodes: lifecycleExit,
    },
    {
        name: "rollback",
        summary: "lower the stack's phase: immediate recovery (no gate), or --gradual from phase 3",
        description: "Immediate: default one phase down; --to 0 is all GCP. Gradual: rerun to apply the step that is due, --abort to stop where it is.",
        options: {
            stack: lifecycleStack,
            to: { help: `the phase to go back to (default: one down; not with --gradual)`, notWith: "gradual" },
            gradual: {},
            abort: { onlyWith: "gradual" },
            "dry-run": {},
            cwd: {},
            "policy-pack": lifecyclePack,
            "phase-key": {},
            "state-dir": {},
        },
        examples: ["migration rollback --stack prod --to 0", "migration rollback --stack prod --gradual"],
        module: "lifecycle",
        exitCodes: lifecycleExit,
    },
    {
        name: "status",
        summary: "phase (declared and deployed), share, data phase, gradual rollback, lock, history",
        options: {
            stack: lifecycleStack,
            format: { choices: ["text", "json"] },
            cwd: {},
            "policy-pack": lifecyclePack,
            "phase-key": {},
            "state-dir": {},
        },
        examples: ["migration status --stack prod --format json"],
        module: "lifecycle",
        exitCodes: "Exit codes: 0 success, 2 error.",
    },
];

/** @param {string} name @returns {CommandSpec | undefined} */
function findCommand(name) {
    return commands.find((c) => c.name === name);
}

/** The option as a command reads it: the shared definition with the command's own wording. */
/** @param {CommandSpec} command @param {string} name @returns {OptionSpec} */
function optionOf(command, name) {
    return { ...options[name], ...command.options[name] };
}

/** Every option name any command takes, with its dashes. */
function optionNames() {
    return [...Object.keys(options).map((o) => `--${o}`), "--help", "--version"];
}

function commandNames() {
    return commands.map((c) => c.name);
}

/** A malformed command line: one line, then where to read the command's help. */
class UsageError extends Error {
    /** @param {string} message @param {string} [command] the command whose help to point at */
    constructor(message, command) {
        super(message);
        this.name = "UsageError";
        this.command = command;
    }
}

/** The text a usage error prints: the mistake, then the help that answers it. */
/** @param {UsageError} err */
function formatUsageError(err) {
    const help = err.command ? `migration ${err.command} --help` : "migration --help";
    return `migration: ${err.message}\nrun \`${help}\` for ${err.command ? "its options and an example" : "the commands"}\n`;
}

/** Edit distance counting a swap of two neighbours as one edit, for "did you mean". @param {string} a @param {string} b */
function distance(a, b) {
    /** @type {number[][]} */
    const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
    for (let i = 1; i <= a.length; i++) {
        for (let j = 1; j <= b.length; j++) {
            const cost = a[i - 1] === b[j - 1] ? 0 : 1;
            d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[a.length][b.length];
}

/**
 * The closest candidate to a mistyped word, if one is close enough to be what was meant: a
 * prefix of it, or at most a third of its letters off (at least 1, at most 3).
 * @param {string} word @param {readonly string[]} candidates @returns {string | undefined}
 */
function closest(word, candidates) {
    const prefixed = candidates.filter((c) => word.length >= 2 && c.startsWith(word));
    if (prefixed.length === 1) return prefixed[0];
    let best;
    let bestDistance = Infinity;
    for (const candidate of candidates) {
        const d = distance(word.toLowerCase(), candidate.toLowerCase());
        if (d < bestDistance) {
            best = candidate;
            bestDistance = d;
        }
    }
    const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
    return bestDistance <= allowed ? best : undefined;
}

/** @param {string} word @param {readonly string[]} candidates */
function didYouMean(word, candidates) {
    const match = closest(word, candidates);
    return match ? `did you mean ${match}?` : undefined;
}

/** Checks an option value whose form the table knows, before any work. */
/** @param {CommandSpec} command @param {string} name @param {OptionSpec} spec @param {string} value */
function checkValue(command, name, spec, value) {
    const flag = `--${name}`;
    if (spec.choices && !spec.choices.includes(value)) {
        const hint = didYouMean(value, spec.choices);
        throw new UsageError(`${flag} ${value}: expected ${listOf(spec.choices)}${hint ? `; ${hint}` : ""}`, command.name);
    }
    switch (spec.kind) {
        case "phaseOrAll":
        case "phase":
            if (spec.kind === "phaseOrAll" && value === "all") return;
            if (!/^\d+$/.test(value) || Number(value) > maxPhase) {
                throw new UsageError(`${flag} ${value}: expected an integer from 0 to ${maxPhase}${spec.kind === "phaseOrAll" ? ', or "all"' : ""}`, command.name);
            }
            return;
        case "seconds":
            if (!/^\d+$/.test(value) || Number(value) < 1) throw new UsageError(`${flag} ${value}: expected a whole number of seconds, at least 1`, command.name);
            return;
        case "stack": {
            const parsed = parseStackName(value);
            if (!parsed.ok) throw new UsageError(`${flag}: ${parsed.message}`, command.name);
            return;
        }
    }
}

/** @param {readonly string[]} items */
function listOf(items) {
    return items.length === 1 ? items[0] : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

/**
 * @typedef {{ kind: "help", text: string }
 *   | { kind: "version", text: string }
 *   | { kind: "run", command: CommandSpec, values: Record<string, string | boolean> }} Parsed
 */

/**
 * Reads a command line against the table. Throws a UsageError for a malformed one; never lets
 * Node's own parser speak.
 * @param {readonly string[]} argv @returns {Parsed}
 */
function parseCommandLine(argv) {
    const helpFlags = ["--help", "-h"];
    // The command: the first word that names one (options may come before it), else the first word.
    const first = argv.find((a) => findCommand(a) !== undefined) ?? argv.find((a) => !a.startsWith("-"));
    // `migration help [command]`
    if (argv[0] === "help") {
        const named = argv[1] === undefined ? undefined : commandOrThrow(argv[1]);
        return { kind: "help", text: named ? commandHelp(named) : globalHelp() };
    }
    const commandIndex = first === undefined ? -1 : argv.indexOf(first);
    const before = commandIndex === -1 ? argv : argv.slice(0, commandIndex);
    if (before.some((a) => a === "--version" || a === "-V")) return { kind: "version", text: `migration ${version()}\n` };
    if (commandIndex === -1 || (before.length > 0 && before.every((a) => helpFlags.includes(a)))) {
        if (commandIndex === -1) {
            if (argv.length === 0 || argv.some((a) => helpFlags.includes(a))) return { kind: "help", text: globalHelp() };
            const flag = argv[0].split("=")[0];
            const hint = didYouMean(flag, ["--help", "--version"]);
            throw new UsageError(`${flag}: expected a command first (${listOf(commandNames())})${hint ? `; ${hint}` : ""}`);
        }
        return { kind: "help", text: commandHelp(commandOrThrow(argv[commandIndex])) };
    }
    const command = commandOrThrow(argv[commandIndex]);
    const rest = [...before, ...argv.slice(commandIndex + 1)];
    if (rest.some((a) => helpFlags.includes(a))) return { kind: "help", text: commandHelp(command) };

    /** @type {Record<string, string | boolean>} */
    const values = {};
    for (let i = 0; i < rest.length; i++) {
        const arg = rest[i];
        if (arg === "--") {
            if (i + 1 < rest.length) throw new UsageError(`unexpected argument "${rest[i + 1]}": ${command.name} takes options only`, command.name);
            break;
        }
        if (!arg.startsWith("-") || arg === "-") throw new UsageError(`unexpected argument "${arg}": ${command.name} takes options only`, command.name);
        const eq = arg.indexOf("=");
        const flag = eq === -1 ? arg : arg.slice(0, eq);
        const name = flag.replace(/^--?/, "");
        if (!flag.startsWith("--") || !(name in command.options)) throw unknownOption(command, flag);
        const spec = optionOf(command, name);
        let value;
        if (spec.type === "boolean") {
            if (eq !== -1) throw new UsageError(`${flag} takes no value (found "${arg.slice(eq + 1)}")`, command.name);
            value = true;
        } else if (eq !== -1) {
            value = arg.slice(eq + 1);
        } else {
            const next = rest[i + 1];
            if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value: ${flag} ${spec.value ?? "VALUE"}`, command.name);
            value = next;
            i++;
        }
        if (typeof value === "string") checkValue(command, name, spec, value);
        values[name] = value;
    }
    checkRules(command, values);
    return { kind: "run", command, values };
}

/** The command's own rules: options it requires, and options that go only with, or never with, another. */
/** @param {CommandSpec} command @param {Record<string, string | boolean>} values */
function checkRules(command, values) {
    for (const [name, rule] of Object.entries(command.options)) {
        const spec = optionOf(command, name);
        if (values[name] === undefined) {
            if (rule.required) throw new UsageError(`${command.name} needs --${name} ${spec.value ?? ""}: ${rule.required}`.replace(" :", ":"), command.name);
            continue;
        }
        if (rule.onlyWith && values[rule.onlyWith] === undefined) throw new UsageError(`--${name} does not apply to ${command.name} without --${rule.onlyWith}`, command.name);
        if (rule.notWith && values[rule.notWith] !== undefined) throw new UsageError(`--${name} does not apply to ${command.name} --${rule.notWith}`, command.name);
    }
}

/** @param {string} name @returns {CommandSpec} */
function commandOrThrow(name) {
    const command = findCommand(name);
    if (command) return command;
    const hint = didYouMean(name, commandNames());
    throw new UsageError(`unknown command "${name}": ${hint ?? `expected one of ${listOf(commandNames())}`}`);
}

/** @param {CommandSpec} command @param {string} flag */
function unknownOption(command, flag) {
    const name = flag.replace(/^--?/, "");
    const own = Object.keys(command.options).map((o) => `--${o}`);
    if (flag.startsWith("--") && name in options) {
        const owners = commands.filter((c) => name in c.options).map((c) => c.name);
        return new UsageError(`${flag} does not apply to ${command.name} (an option of ${listOf(owners)})`, command.name);
    }
    const hint = didYouMean(flag.startsWith("--") ? flag : `--${name}`, own);
    return new UsageError(`unknown option ${flag} for ${command.name}${hint ? `: ${hint}` : ""}`, command.name);
}

const width = 80;

/** @param {readonly [string, string][]} rows @param {number} column */
function table(rows, column) {
    return rows.map(([left, right]) => `  ${left.padEnd(column - 2)}${left.length > column - 3 ? `\n${" ".repeat(column)}` : ""}${wrap(right, width - column, column)}`).join("\n");
}

function globalHelp() {
    const rows = /** @type {[string, string][]} */ (commands.map((c) => [c.name, c.summary]));
    return [
        "Usage: migration <command> [options]",
        "",
        wrap(
            "The offline plan and policy check of a Pulumi stack's phases, without cloud credentials or the Pulumi CLI; " +
                "and the commands that move a stack from one phase to another.",
            width,
        ),
        "",
        "Commands:",
        table(rows, 17),
        "",
        "Options:",
        table(
            [
                ["-h, --help", "this help; `migration <command> --help` shows a command's options and an example"],
                ["-V, --version", "the version of migration"],
            ],
            17,
        ),
        "",
        wrap("Exit codes: 0 success, 1 refused or blocked (a mandatory policy violation, a failed gate, a lock), 2 error.", width, 2),
        "",
    ].join("\n");
}

/** @param {CommandSpec} command */
function commandHelp(command) {
    const rows = /** @type {[string, string][]} */ (
        Object.keys(command.options).map((name) => {
            const spec = optionOf(command, name);
            const at = spec.help.indexOf(" (default");
            const help = spec.choices ? `${spec.help.slice(0, at === -1 ? undefined : at)}: ${listOf(spec.choices)}${at === -1 ? "" : spec.help.slice(at)}` : spec.help;
            return [`--${name}${spec.value ? ` ${spec.value}` : ""}`, help];
        })
    );
    rows.push(["-h, --help", "this help"]);
    return [
        `Usage: migration ${command.name} [options]`,
        "",
        wrap(command.summary[0].toUpperCase() + command.summary.slice(1) + ".", width),
        ...(command.description ? ["", wrap(command.description, width)] : []),
        "",
        "Options:",
        table(rows, 26),
        "",
        command.examples.length === 1 ? "Example:" : "Examples:",
        ...command.examples.map((e) => `  ${e}`),
        "",
        wrap(command.exitCodes, width, 2),
        "",
    ].join("\n");
}

/** @type {string | undefined} */
let cachedVersion;
function version() {
    if (cachedVersion === undefined) {
        const file = path.join(__dirname, "..", "..", "package.json");
        cachedVersion = /** @type {{ version: string }} */ (JSON.parse(fs.readFileSync(file, "utf8"))).version;
    }
    return cachedVersion;
}

/**
 * What bin/migration.js answers without running any command: help, the version, or a usage
 * error; undefined when a command is to run.
 * @param {readonly string[]} argv
 * @returns {{ code: number, stdout?: string, stderr?: string } | undefined}
 */
function answerWithoutRunning(argv) {
    try {
        const parsed = parseCommandLine(argv);
        if (parsed.kind === "run") return undefined;
        return { code: 0, stdout: parsed.text };
    } catch (err) {
        if (err instanceof UsageError) return { code: 2, stderr: formatUsageError(err) };
        throw err;
    }
}

module.exports = {
    maxPhase,
    defaultEvalTimeoutSeconds,
    options,
    commands,
    findCommand,
    optionOf,
    optionNames,
    commandNames,
    UsageError,
    formatUsageError,
    closest,
    parseCommandLine,
    answerWithoutRunning,
    globalHelp,
    commandHelp,
    version,
};
