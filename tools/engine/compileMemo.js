// Keeps what a ts-node service compiles, so that a file is transpiled once, not at every
// start of the `migration` command and of every evaluation worker (about two seconds of CPU
// each for this project), nor again at each job of a worker, which loads the program fresh.
//
// In memory for the life of the process, and on disk in a folder shared by every process
// (node_modules/.cache/migration-ts by default), under a key of everything the output depends
// on: the TypeScript and ts-node versions, the compiler options, the file's path, its line
// offset and its text. A file whose text changed is compiled again. Entries are written
// whole (a temporary file renamed into place), so a reader never sees half of one; a folder
// that cannot be written leaves the memory cache alone in use.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");

const defaultCacheDir = path.join(__dirname, "..", "..", "node_modules", ".cache", "migration-ts");

/**
 * Wraps `service.compile` in place and returns the service. Stack traces still map to the
 * TypeScript source: the source-map support ts-node installed is told the kept outputs.
 * @param {{ compile: (code: string, fileName: string, lineOffset?: number) => string, ts?: { version: string }, config?: { options: unknown } }} service
 * @param {{ cacheDir?: string | null, sourceMaps?: { install(options: { retrieveFile(path: string): string | undefined }): void } | null }} [options]
 */
function rememberOutputs(service, options = {}) {
    const cacheDir = options.cacheDir === undefined ? defaultCacheDir : options.cacheDir;
    const compile = service.compile.bind(service);
    const outputs = new Map();
    const settings = settingsOf(service);

    service.compile = (code, fileName, lineOffset = 0) => {
        const known = outputs.get(fileName);
        if (known && known.code === code && known.lineOffset === lineOffset) return known.output;
        const file = cacheDir ? outputFile(cacheDir, settings, fileName, lineOffset, code) : undefined;
        let output = file ? readText(file) : undefined;
        if (output === undefined) {
            output = compile(code, fileName, lineOffset);
            // Not writable: the next process compiles the file again.
            if (file) writeWhole(file, output);
        }
        outputs.set(fileName, { code, lineOffset, output });
        return output;
    };

    const sourceMaps = options.sourceMaps === undefined ? sourceMapSupport() : options.sourceMaps;
    sourceMaps?.install({ retrieveFile: (file) => outputs.get(file)?.output });
    return service;
}

/** What a service's outputs depend on besides each file: the compiler's and ts-node's versions and the compiler options. */
function settingsOf(service) {
    return JSON.stringify([service.ts?.version, packageVersion("ts-node"), service.config?.options]);
}

/** The text of `file`, or undefined when there is none to read. */
function readText(file) {
    try {
        return fs.readFileSync(file, "utf8");
    } catch {
        return undefined;
    }
}

/** Writes `text` to `file` whole (a temporary file renamed into place), so a reader never sees half of it; false when the folder cannot be written. */
function writeWhole(file, text) {
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
        fs.writeFileSync(temporary, text);
        fs.renameSync(temporary, file);
        return true;
    } catch {
        return false;
    }
}

/** Where the output of one file is kept, under a key of everything it depends on. */
function outputFile(cacheDir, settings, fileName, lineOffset, code) {
    const key = crypto.createHash("sha256").update(settings).update("\0").update(fileName).update("\0").update(String(lineOffset)).update("\0").update(code).digest("hex");
    return path.join(cacheDir, key.slice(0, 2), `${key}.js`);
}

/**
 * What the settings of a service registered with `runOptions` depend on, read without loading
 * TypeScript: the compiler's and ts-node's versions, the tsconfig's text, the options given and
 * the TS_NODE_* variables ts-node reads.
 */
function settingsSource() {
    const tsNodeVariables = Object.entries(process.env).filter(([name]) => name.startsWith("TS_NODE_")).sort();
    // No tsconfig is part of the key as such.
    const tsconfig = readText(runOptions.project) ?? null;
    return JSON.stringify([packageVersion("typescript"), packageVersion("ts-node"), tsconfig, runOptions, tsNodeVariables]);
}

function settingsFile(cacheDir) {
    return path.join(cacheDir, "settings", `${crypto.createHash("sha256").update(settingsSource()).digest("hex")}.json`);
}

/**
 * Keeps the settings of a service made from `runOptions`, for a later process to find its
 * outputs without TypeScript (a folder that cannot be written: later processes register ts-node
 * at once). Returns the service.
 */
function withSettingsRecorded(service) {
    const file = settingsFile(defaultCacheDir);
    if (!fs.existsSync(file)) writeWhole(file, settingsOf(service));
    return service;
}

function packageVersion(name) {
    try {
        return JSON.parse(fs.readFileSync(require.resolve(`${name}/package.json`), "utf8")).version;
    } catch {
        return undefined;
    }
}

/** The source-map support ts-node installs (one instance per process, shared by its copies). */
function sourceMapSupport() {
    try {
        return require(require.resolve("@cspotcode/source-map-support", { paths: [path.dirname(require.resolve("ts-node"))] }));
    } catch {
        return null;
    }
}

/** This project's TypeScript settings for running its code: transpile only, CommonJS whatever a program's own module setting. */
const runOptions = {
    transpileOnly: true,
    project: path.join(__dirname, "..", "..", "tsconfig.json"),
    compilerOptions: { module: "commonjs" },
};

/**
 * Compiles `.ts` files on load as the `migration` command and the engine's workers run them,
 * keeping each output (rememberOutputs). Returns the ts-node service.
 */
function registerTypeScript() {
    return rememberOutputs(withSettingsRecorded(require("ts-node").register(runOptions)));
}

/**
 * As registerTypeScript, without loading TypeScript while every file loaded is in the disk
 * cache: the outputs are run as they are, and ts-node (with TypeScript, about half a second of
 * a process's start) is registered at the first file that is not. For the evaluation workers,
 * which load only files compiled before (by the command that started them, or ahead). Files
 * under node_modules load as they would without ts-node; source maps still point at the sources.
 */
function registerTypeScriptLazily() {
    const cacheDir = defaultCacheDir;
    const settings = readText(settingsFile(cacheDir));
    if (settings === undefined) return void registerTypeScript();
    const nativeJs = require.extensions[".js"];
    const outputs = new Map();
    sourceMapSupport()?.install({ retrieveFile: (file) => outputs.get(file) });
    let registered = false;
    // The extensions ts-node compiles with this project's settings (allowJs: .js too).
    for (const extension of [".ts", ".js"]) {
        const previous = require.extensions[extension] ?? nativeJs;
        require.extensions[extension] = function (module, fileName) {
            // Once ts-node is registered its handler runs first and calls this one to load.
            if (registered || fileName.includes(`${path.sep}node_modules${path.sep}`)) return previous(module, fileName);
            const code = fs.readFileSync(fileName, "utf8");
            const output = readText(outputFile(cacheDir, settings, fileName, 0, code));
            if (output === undefined) {
                registered = true;
                return module._compile(registerTypeScript().compile(code, fileName), fileName);
            }
            outputs.set(fileName, output);
            return module._compile(output, fileName);
        };
    }
}

/**
 * Compiles `files` (absolute paths) into the disk cache without running them, so that the
 * processes started next find them compiled rather than each compiling them at once. A file
 * that does not compile is left out: it fails where it is loaded, with its own error.
 * Returns how many were compiled now (the others were in the cache).
 * @param {readonly string[]} files
 */
function compileAhead(files) {
    const service = withSettingsRecorded(require("ts-node").create(runOptions));
    let compiled = 0;
    const compile = service.compile.bind(service);
    service.compile = (code, fileName, lineOffset) => {
        const output = compile(code, fileName, lineOffset);
        compiled++;
        return output;
    };
    rememberOutputs(service, { sourceMaps: null });
    for (const file of files) {
        try {
            service.compile(fs.readFileSync(file, "utf8"), file);
        } catch {
            // Left to the process that loads it.
        }
    }
    return compiled;
}

module.exports = { rememberOutputs, registerTypeScript, registerTypeScriptLazily, compileAhead };
