// Preloaded into every evaluation worker (tools/engine/pool.ts): compiles TypeScript as the
// `migration` command does, keeping each file's output for the worker's next jobs and the next
// processes, and loading TypeScript only for a file not compiled before (compileMemo.js); and
// defers what the SDK loads only to serialize a function (deferredModules.js).
"use strict";
require("./deferredModules").deferModules();
require("./compileMemo").registerTypeScriptLazily();
