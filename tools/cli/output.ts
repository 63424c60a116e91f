/**
 * Writes a report whole or not at all: into a temporary file beside the target, renamed over
 * it once complete, so a failed run never leaves a partial report behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export function writeAtomically(file: string, text: string): void {
    const target = path.resolve(file);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(temp, text);
        fs.renameSync(temp, target);
    } catch (err) {
        fs.rmSync(temp, { force: true });
        throw err;
    }
}
