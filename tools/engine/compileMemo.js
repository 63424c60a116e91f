// Remembers a ts-node service's output per file for the life of the process: an evaluation
// worker loads the program fresh for every job, and without this transpiled every project file
// again at each evaluation. A file whose text (or line offset) changed is compiled again.
"use strict";

/** Wraps `service.compile` in place; returns the service. */
function rememberOutputs(service) {
    const compile = service.compile.bind(service);
    const outputs = new Map();
    service.compile = (code, fileName, lineOffset = 0) => {
        const known = outputs.get(fileName);
        if (known && known.code === code && known.lineOffset === lineOffset) return known.output;
        const output = compile(code, fileName, lineOffset);
        outputs.set(fileName, { code, lineOffset, output });
        return output;
    };
    return service;
}

module.exports = { rememberOutputs };
