/** Child processes as Linux's /proc lists them, for the tests that check what a run leaves behind. */
import * as fs from "node:fs";

/** The processes whose parent is `pid` (Linux only). */
export function childrenOf(pid: number): number[] {
    return fs
        .readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .filter((entry) => {
            try {
                // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces, so read after the last ')'.
                const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
                return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
            } catch {
                return false;
            }
        })
        .map(Number);
}

/** A process's command line, or "" once it is gone. */
export function commandLineOf(pid: number): string {
    try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8");
    } catch {
        return "";
    }
}
