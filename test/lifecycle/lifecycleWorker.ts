/**
 * A lifecycle run in its own process, for the lock contention and interruption tests: on "run" it waits for the
 * agreed start time, runs the command through the CLI against a recording driver whose `up`
 * reports itself and waits for "release", and reports its exit code and error output.
 */
import { UpOptions } from "../../tools/lifecycle/driver";
import { cli, fakeDeps, FakeDriver, FileDriver } from "./fakeDriver";

let release: () => void = () => undefined;

/** `up` reports itself and waits for "release" (or for the process to be killed). */
function gated<T extends new (...args: any[]) => FakeDriver>(Base: T) {
    return class extends Base {
        override async up(options: UpOptions) {
            process.send!({ kind: "up", pid: process.pid });
            await new Promise<void>((resolve) => (release = resolve));
            return super.up(options);
        }
    };
}
const GatedDriver = gated(FakeDriver);
const GatedFileDriver = gated(FileDriver);

type RunMessage = { kind: "run"; argv: string[]; startAt: number; stackFile?: string; overrides?: Record<string, unknown> };

process.on("message", (message: RunMessage | { kind: "release" }) => {
    if (message.kind === "release") return release();
    void (async () => {
        const overrides = message.overrides ?? { "migration:phase": 2 };
        const driver = message.stackFile ? new GatedFileDriver(message.stackFile, "dev", overrides) : new GatedDriver("dev", overrides);
        while (Date.now() < message.startAt) {
            // Spin to the agreed moment: both processes reach the lock within a millisecond or so.
        }
        const run = await cli(message.argv, { ...fakeDeps(driver), now: () => new Date() });
        process.send!({ kind: "done", pid: process.pid, code: run.code, stderr: run.stderr });
    })();
});
process.send!({ kind: "ready", pid: process.pid });
