// Preloaded into every evaluation worker (register.js). `@pulumi/pulumi` loads two things as it
// is imported that it uses only to serialize a function (dynamic providers, function
// serialization): npm's Arborist (with pacote, sigstore, cacache and more: about 300 modules),
// to find the packages to ship with it (runtime/closure/codePaths.js), and TypeScript, to parse
// its source (typescript-shim.js). Together they were most of what importing the SDK costs, in
// every worker, for programs that serialize nothing.
//
// The imports from those two files get a stand-in that loads the module at its first use, so a
// program that does serialize a function gets exactly the module it would have had. Plain
// JavaScript: it must be in place before the SDK loads.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const marker = Symbol.for("migration.deferredModules");

/** What is deferred: a request, made from a file of any copy of `@pulumi/pulumi`. */
const sdk = path.join("node_modules", "@pulumi", "pulumi");
const deferred = [
    { request: "@npmcli/arborist", from: path.join(sdk, "runtime", "closure", "codePaths.js") },
    { request: "typescript", from: path.join(sdk, "typescript-shim.js") },
];

/**
 * A module whose exports load at the first property read. It passes for an ES module, so
 * TypeScript's import helpers (`__importStar`, `__importDefault`) hand it on unread, and its
 * `default` is the CommonJS exports themselves, as those helpers would make it.
 */
function onFirstUse(load) {
    let exports;
    const real = () => (exports ??= load());
    return new Proxy(Object.create(null), {
        get(_, key) {
            if (key === "__esModule") return true;
            const loaded = real();
            if (key === "default" && !(loaded && loaded.__esModule)) return loaded;
            return loaded[key];
        },
        has(_, key) {
            return key === "__esModule" || key in real();
        },
    });
}

/** Installs the deferral in this process (once); returns the requests it defers. */
function deferModules() {
    if (!Module._load[marker]) {
        const load = Module._load;
        const deferring = function (request, parent, isMain) {
            const from = parent && parent.filename;
            if (from && deferred.some((d) => d.request === request && from.endsWith(d.from))) {
                return onFirstUse(() => load.call(this, request, parent, isMain));
            }
            return load.apply(this, arguments);
        };
        deferring[marker] = true;
        Module._load = deferring;
    }
    return deferred.map((d) => d.request);
}

module.exports = { deferModules };
