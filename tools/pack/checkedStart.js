// Preloaded into a policy pack's process when a start with exactly the same inputs passed the
// type check the Pulumi CLI's runner makes (typeCheckRecord.ts). The runner is the CLI's own and
// registers ts-node as it always does; only its type check is turned off, since it passed for
// these inputs. The transpiled output is kept for the next start (compileMemo.js), and the SDK's
// Arborist loads at first use (deferredModules.js). Plain JavaScript: it runs before ts-node
// exists in the process.
"use strict";
const path = require("node:path");
const { rememberOutputs } = require("../engine/compileMemo");
const { deferModules } = require("../engine/deferredModules");

deferModules();
// The ts-node the runner loads: the one its SDK resolves.
const sdk = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [process.cwd()] }));
const tsNode = require(require.resolve("ts-node", { paths: [sdk] }));
const register = tsNode.register;
tsNode.register = (options) => rememberOutputs(register({ ...options, typeCheck: false, transpileOnly: true }));
