#!/usr/bin/env node
// Entry point of the `migration` command: compiles the TypeScript sources on the fly
// (transpile only; `npm test` type-checks them) and runs the CLI.
"use strict";
const path = require("node:path");

require("ts-node").register({
    transpileOnly: true,
    project: path.join(__dirname, "..", "tsconfig.json"),
    compilerOptions: { module: "commonjs" },
});

require("../tools/cli/main")
    .main(process.argv.slice(2))
    .then((code) => {
        process.exitCode = code;
    });
