// Preloaded into every evaluation worker (register.js). `@pulumi/pulumi` loads npm's Arborist
// (with pacote, sigstore, cacache and more: about 300 modules) as it is imported, for one use:
// finding the packages to ship with a serialized function (runtime/closure/codePaths.js, used
// by dynamic providers and function serialization). That load was about half of what importing
// the SDK costs, in every worker, for programs that serialize nothing.
//
// The import from that one file gets a stand-in that loads Arborist at its first use, so a
// program that does serialize a function gets exactly the module it would have had. Plain
// JavaScript: it must be in place before the SDK loads.
"use strict";
const Module = require("node:module");
const path = require("node:path");

const marker = Symbol.for("migration.deferredModules");

/** What is deferred: a request, made from a file of any copy of `@pulumi/pulumi`. */
const deferred = [{ request: "@npmcli/arborist", from: path.join("node_modules", "@pulumi", "pulumi", "runtime", "closure", "codePaths.js") }];

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
