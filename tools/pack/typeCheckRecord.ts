/**
 * The Pulumi CLI's runner type-checks a TypeScript pack at every start (ts-node with its type
 * check on): for this project's pack, most of a start's six seconds. The check's verdict depends
 * only on its inputs, so a start that passed is recorded under a digest of them, and the next
 * start with the same inputs runs the same runner with ts-node transpiling only
 * (checkedStart.js). The first start after any change to those inputs is the CLI's own, type
 * check included, and a pack that does not type-check still fails to start.
 *
 * The inputs: the pack's sources as `migration diff` knows them (sources.ts: its manifests and
 * every file its entry reaches by relative import), the installed packages as npm last wrote
 * them (`node_modules/.package-lock.json`, else the lockfile), and the versions of TypeScript,
 * ts-node and the Pulumi SDKs the runner loads. A pack whose entry is not found, that names
 * another `main`, whose tsconfig.json extends another, or that loads a module by a computed name
 * is type-checked at every start.
 *
 * Records are empty files in `node_modules/.cache/migration-pack-checks` of the folder the
 * pack's SDK is installed in; a folder that cannot be written leaves every start type-checked.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { packClosure } from "./sources";

const versionedPackages = ["typescript", "ts-node", "@pulumi/pulumi", "@pulumi/policy"];

/** The folder whose `node_modules` holds the pack's SDK (symbolic links followed), if it resolves. */
function installRoot(packDir: string): string | undefined {
    try {
        const sdk = fs.realpathSync(path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [packDir] })));
        const nodeModules = sdk.lastIndexOf(`${path.sep}node_modules${path.sep}`);
        return nodeModules < 0 ? undefined : sdk.slice(0, nodeModules);
    } catch {
        return undefined;
    }
}

function versionOf(pkg: string, from: string): string {
    try {
        return (JSON.parse(fs.readFileSync(require.resolve(`${pkg}/package.json`, { paths: [from] }), "utf8")) as { version?: string }).version ?? "";
    } catch {
        return "";
    }
}

export interface PackCheckKey {
    /** Where this pack's passed checks are recorded. */
    recordDir: string;
    /** The digest of its inputs now. */
    digest: string;
}

/** The key of a start of the pack in `packDir` running `program` (PulumiPolicy.yaml's main), or undefined when no record may stand for its check. */
export function packCheckKey(packDir: string, program = "."): PackCheckKey | undefined {
    const root = installRoot(packDir);
    if (!root || program !== ".") return undefined;
    const closure = packClosure(packDir);
    const manifests = new Set(["PulumiPolicy.yaml", "package.json", "tsconfig.json"].map((m) => path.join(packDir, m)));
    if (closure.dynamic.length > 0 || closure.files.every((f) => manifests.has(f))) return undefined;
    const tsconfig = path.join(packDir, "tsconfig.json");
    if (fs.existsSync(tsconfig) && /"extends"\s*:/.test(fs.readFileSync(tsconfig, "utf8"))) return undefined;
    const hash = createHash("sha256");
    for (const pkg of versionedPackages) hash.update(`${pkg}@${versionOf(pkg, packDir)}\0`);
    const hiddenLock = path.join(root, "node_modules", ".package-lock.json");
    const lock = fs.existsSync(hiddenLock) ? hiddenLock : path.join(root, "package-lock.json");
    if (fs.existsSync(lock)) hash.update(fs.readFileSync(lock));
    for (const file of closure.files) hash.update("\0").update(file).update("\0").update(fs.readFileSync(file));
    return { recordDir: path.join(root, "node_modules", ".cache", "migration-pack-checks"), digest: hash.digest("hex") };
}

/** Whether a start with exactly these inputs passed the type check before. */
export function checkPassed(key: PackCheckKey): boolean {
    return fs.existsSync(path.join(key.recordDir, key.digest));
}

/** Records a passed check (a folder that cannot be written records nothing). */
export function recordCheckPassed(key: PackCheckKey): void {
    try {
        fs.mkdirSync(key.recordDir, { recursive: true });
        fs.writeFileSync(path.join(key.recordDir, key.digest), "");
    } catch {
        // The next start type-checks again.
    }
}
