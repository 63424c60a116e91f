// Preloaded into every evaluation worker (tools/engine/pool.ts): compiles TypeScript as the
// `migration` command does, keeping each file's output for the worker's next jobs and the next
// processes (compileMemo.js).
"use strict";
require("./compileMemo").registerTypeScript();
