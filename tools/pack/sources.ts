/**
 * Whether the base's policy pack is the working tree's: then one pack process judges both
 * sides, and the second start (a type-checking compile of the pack, the slowest step of a
 * diff) is saved.
 *
 * A pack is its folder's manifest files and every repository file its entry module reaches
 * through relative imports (`./lib/policy`, `../../domain/targets`); packages come from
 * node_modules, which the base shares only when its lockfile is the same. If every one of
 * those files is byte for byte the same in the base, so is the pack: a changed import list
 * changes the importing file. A pack that reads other repository files at run time (not by
 * import) is outside this rule.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type * as TypeScript from "typescript";

const extensions = [".ts", ".tsx", ".js", ".cjs", ".mjs", ".json"];
const manifests = ["PulumiPolicy.yaml", "package.json", "tsconfig.json"];

function resolveFile(from: string, specifier: string): string | undefined {
    const target = path.resolve(path.dirname(from), specifier);
    const candidates = [
        target,
        ...extensions.map((e) => target + e),
        // `./x.js` written for a `./x.ts` source, as ES-module TypeScript does.
        ...(/\.(c|m)?js$/.test(target) ? [target.replace(/\.(c|m)?js$/, ".ts")] : []),
        ...extensions.map((e) => path.join(target, `index${e}`)),
    ];
    return candidates.find((c) => fs.existsSync(c) && fs.statSync(c).isFile());
}

function entryOf(packDir: string): string | undefined {
    const manifest = path.join(packDir, "package.json");
    const main = fs.existsSync(manifest) ? (JSON.parse(fs.readFileSync(manifest, "utf8")) as { main?: unknown }).main : undefined;
    return resolveFile(path.join(packDir, "package.json"), typeof main === "string" ? `./${main}` : "./index");
}

/**
 * What a pack's entry module reaches: the repository files, through relative imports (type-only
 * imports included: the CLI's type-checking compile loads them too), and the packages those
 * files import by name (`@pulumi/policy`, `node:path`, `zod`…), with the files that import each.
 * A `require` of a computed name is listed under `dynamic`: no walk can say what it loads.
 */
export interface PackClosure {
    /** Absolute paths of the pack's manifests and the files its entry reaches, sorted. */
    files: string[];
    /** Package specifiers as written (`@pulumi/gcp`, `@pulumi/pulumi/proto/x`), each with its importers. */
    packages: Map<string, string[]>;
    /** Files that call `require` or `import()` with something other than a string literal. */
    dynamic: string[];
}

/** The package an import specifier names: `@scope/name` or `name`, without a subpath. */
export function packageOf(specifier: string): string {
    const parts = specifier.split("/");
    return specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
}

export function packClosure(packDir: string): PackClosure {
    const files = new Set(manifests.map((m) => path.join(packDir, m)).filter((f) => fs.existsSync(f)));
    const packages = new Map<string, string[]>();
    const dynamic: string[] = [];
    // Loaded here, not with the CLI: only a diff with a pack reads import lists.
    const ts = require("typescript") as typeof TypeScript;
    const entry = entryOf(packDir);
    const queue = entry ? [entry] : [];
    for (let file = queue.shift(); file; file = queue.shift()) {
        if (files.has(file)) continue;
        files.add(file);
        if (file.endsWith(".json")) continue;
        const text = fs.readFileSync(file, "utf8");
        const { importedFiles } = ts.preProcessFile(text, true, true);
        for (const { fileName } of importedFiles) {
            if (!fileName.startsWith(".")) {
                packages.set(fileName, [...(packages.get(fileName) ?? []), file]);
                continue;
            }
            const resolved = resolveFile(file, fileName);
            if (resolved) queue.push(resolved);
        }
        if (/\b(require|import)\s*\(\s*[^\s"'`)]/.test(text.replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, "")) || /\b(require|import)\s*\(\s*`[^`]*\$\{/.test(text)) {
            dynamic.push(file);
        }
    }
    return { files: [...files].sort(), packages, dynamic };
}

/** The pack's manifests and the files its entry reaches by relative import, absolute paths. */
export function packSources(packDir: string): string[] {
    return packClosure(packDir).files;
}

/** Whether every file of the working tree's pack is the same at `toBase(file)`. */
export function samePack(packDir: string, toBase: (file: string) => string): boolean {
    return packSources(packDir).every((file) => {
        const there = toBase(file);
        return fs.existsSync(there) && fs.readFileSync(there).equals(fs.readFileSync(file));
    });
}
