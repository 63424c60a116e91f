// Preloaded into every evaluation worker (tools/engine/pool.ts): compiles TypeScript as
// `ts-node/register/transpile-only` does, with the TS_NODE_* variables the pool sets, and
// keeps each file's output for the worker's next jobs and the next workers (compileMemo.js).
"use strict";
require("./compileMemo").rememberOutputs(require("ts-node").register({ transpileOnly: true }));
