/**
 * The project's policy pack, started once per test worker (vitest keeps a worker's modules
 * from file to file) and handed to every in-process run that analyses with it: a start takes
 * 1.5 s once the pack's check is recorded, and six when it type-checks (tools/pack/
 * typeCheckRecord.ts: the first start of a run, on a fresh clone). Every analysis configures the pack
 * afresh (tools/pack/analyzer.ts), so runs do not see each other's config. The tests about
 * starting a pack (a missing, crashing or hanging one, the CLI's own start under a signal) start
 * their own. The process ends with the worker (tools/engine/children.ts).
 */
import * as path from "node:path";
import type { PolicyPackHandle } from "../tools/pack/analyzer";
import { PackStarter, startPack } from "../tools/pack/run";
import { projectDir } from "./harness";

export const projectPackDir = path.join(projectDir, "policies");

let started: Promise<PolicyPackHandle> | undefined;

/** The project's pack, shared; any other folder gets a pack of its own, as a run would. */
export const sharedPack: PackStarter = (options) => {
    if (path.resolve(options.packDir) !== projectPackDir) return startPack(options);
    if (!started) {
        // The first start may run while the other worker evaluates: a generous bound.
        started = startPack({ packDir: projectPackDir, timeoutMs: 300_000 });
        started.catch(() => (started = undefined));
    }
    return started.then((pack) => ({ ...pack, close: async () => undefined }));
};
