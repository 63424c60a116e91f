/**
 * Writes a report whole or not at all: into a temporary file beside the target, renamed over
 * it once complete, so a failed run never leaves a partial report behind.
 */
import * as fs from "node:fs";
import * as path from "node:path";

export class OutputError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "OutputError";
    }
}

export function writeAtomically(file: string, text: string): void {
    const target = path.resolve(file);
    const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
    try {
        fs.writeFileSync(temp, text);
        fs.renameSync(temp, target);
    } catch (err) {
        fs.rmSync(temp, { force: true });
        // Named by the file asked for: the temporary file is an implementation detail.
        throw new OutputError(`cannot write the report to ${target}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
}
