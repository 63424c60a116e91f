"use strict";
// Module loader hooks for ES-module programs (registered with `module.register` by
// evaluateProject.ts): ts-node's ESM hooks, so `.ts` sources load, `.js` specifiers resolve to
// them, and top-level await works. The ts-node service is made from the options that
// `initialize` receives: made any earlier, it would read whatever tsconfig the working
// directory holds instead of the project's. Plain JavaScript: it runs in the loader thread,
// before any TypeScript support exists there.
const tsNode = require("ts-node");

let hooks;

exports.initialize = function initialize(options) {
    hooks = tsNode.createEsmHooks(tsNode.register(options));
};

exports.resolve = function resolve(specifier, context, nextResolve) {
    return hooks.resolve(specifier, context, nextResolve);
};

exports.load = function load(url, context, nextLoad) {
    return hooks.load(url, context, nextLoad);
};
