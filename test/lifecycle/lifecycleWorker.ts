/**
 * A lifecycle run in its own process, for the lock contention test: on "run" it waits for the
 * agreed start time, runs the command through the CLI against a recording driver whose `up`
 * reports itself and waits for "release", and reports its exit code and error output.
 */
import { UpOptions } from "../../tools/lifecycle/driver";
import { cli, fakeDeps, FakeDriver } from "./fakeDriver";

let release: () => void = () => undefined;

class GatedDriver extends FakeDriver {
    override async up(options: UpOptions) {
        process.send!({ kind: "up", pid: process.pid });
        await new Promise<void>((resolve) => (release = resolve));
        return super.up(options);
    }
}

process.on("message", (message: { kind: "run"; argv: string[]; startAt: number } | { kind: "release" }) => {
    if (message.kind === "release") return release();
    void (async () => {
        const driver = new GatedDriver("dev", { "migration:phase": 2 });
        while (Date.now() < message.startAt) {
            // Spin to the agreed moment: both processes reach the lock within a millisecond or so.
        }
        const run = await cli(message.argv, { ...fakeDeps(driver), now: () => new Date() });
        process.send!({ kind: "done", pid: process.pid, code: run.code, stderr: run.stderr });
    })();
});
process.send!({ kind: "ready", pid: process.pid });
