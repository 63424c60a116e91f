#!/usr/bin/env node
// Entry point of the `migration` command. Help, the version and a malformed command line are
// answered from the command table (plain JavaScript) at once; only a command that runs compiles
// the TypeScript sources on the fly (transpile only, kept for the next run; `npm test` type-checks
// them) and loads its code.
"use strict";

const argv = process.argv.slice(2);
const answer = require("../tools/cli/commandTable.js").answerWithoutRunning(argv);
if (answer) {
    if (answer.stdout) process.stdout.write(answer.stdout);
    if (answer.stderr) process.stderr.write(answer.stderr);
    process.exitCode = answer.code;
} else {
    // Each file is transpiled once, then read from node_modules/.cache/migration-ts.
    require("../tools/engine/compileMemo").registerTypeScript();
    require("../tools/cli/main")
        .main(argv)
        .then((code) => {
            process.exitCode = code;
        });
}
