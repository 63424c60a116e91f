/**
 * The order test files start in. Vitest runs the files it has timed before longest first, so
 * the slow end-to-end suites never start last and leave one worker idle while the other
 * finishes them. A fresh clone (CI) has no timings of its own: vitest would start the largest
 * files first, and several slow suites are small. There, the durations recorded in
 * `durations.json` order the files (slowest first, the rest after them).
 *
 * The record only orders files; a stale one costs time, never a result. To refresh it after a
 * run: node -e 'const fs=require("fs"),d="node_modules/.vite/vitest",r=JSON.parse(fs.readFileSync(`${d}/${fs.readdirSync(d)[0]}/results.json`));console.log(JSON.stringify(Object.fromEntries(r.results.filter(([,v])=>v.duration>=2000).sort((a,b)=>b[1].duration-a[1].duration).map(([k,v])=>[k.slice(1),Math.round(v.duration/100)/10])),null,2))' > test/durations.json
 */
import * as path from "node:path";
import { BaseSequencer, TestSpecification } from "vitest/node";
import recorded from "./durations.json";

const seconds: Record<string, number> = recorded;

export class RecordedDurationsSequencer extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        const key = (file: TestSpecification) => path.relative(this.ctx.config.root, file.moduleId).split(path.sep).join("/");
        const timed = files.filter((file) => this.ctx.cache.getFileTestResults(`${file.project.name}:${key(file)}`));
        // Vitest's own timings, when it has them for most files, are the better record.
        if (timed.length * 2 > files.length) return super.sort(files);
        return [...files].sort((a, b) => (seconds[key(b)] ?? 0) - (seconds[key(a)] ?? 0));
    }
}
