// @ts-check
/**
 * Import boundaries between the layers, and nothing else: style is left to review.
 *
 *   domain/      the plan's facts: imports nothing of Pulumi and nothing of the other folders
 *   components/  ComponentResources: domain/ and the provider SDKs
 *   stacks/      the program: components/ and domain/
 *   policies/    the CrossGuard pack: domain/ and the graph read-model (tools/model/), never a
 *                provider SDK (the Pulumi CLI type-checks the pack at every start, and an SDK
 *                is about a million lines of declarations; test/policies/closure.test.ts checks
 *                the whole import closure)
 *   tools/       the `migration` CLI: domain/ and its own folders, never the program (it
 *                evaluates stacks/ as Pulumi would, by path) nor the pack (it starts it).
 *                Its folders form layers, each importing only those below it:
 *                model → engine → cost → report → pack → diff, lifecycle → cli; docs and bench
 *                on top. tools/model/ is plain data too: nothing of Pulumi.
 */
import tseslint from "typescript-eslint";

const providerSdks = ["gcp", "databricks", "kubernetes", "random"];

/** `no-restricted-imports` patterns: a provider SDK, by value or by type, and any of its subpaths. */
const noProviderSdk = {
    regex: `^@pulumi/(${providerSdks.join("|")})(/|$)`,
    message: "The policy pack matches resources by type token (tools/model/resourceTypes.ts); it never loads a provider SDK.",
};
const noPulumi = (what) => ({ regex: "^@pulumi/", message: `${what} is plain data: no Pulumi import.` });
/** A top-level folder reached by a relative import from anywhere below the root. */
const noFolder = (folders, message) => ({ regex: `^(\\.\\./)+(${folders.join("|")})(/|$)`, message });
const noRequire = {
    selector: "CallExpression[callee.name='require'][arguments.0.type!='Literal']",
    message: "Load modules by a literal name, so that the import graph (and this lint) sees what is loaded.",
};

/** tools/ folders, lowest layer first: each may import the ones before it. */
const toolLayers = [["model"], ["engine"], ["cost"], ["report"], ["pack"], ["diff", "lifecycle"], ["cli"], ["docs", "bench"]];

/** The patterns for one tools/ folder: the layers above it and its siblings are out of reach. */
function toolsFolder(folder) {
    const index = toolLayers.findIndex((layer) => layer.includes(folder));
    const above = toolLayers.slice(index + 1).flat();
    const siblings = toolLayers[index].filter((f) => f !== folder);
    const out = [...above, ...siblings];
    return out.length === 0
        ? []
        : [{ regex: `^(\\.\\./)+(${out.join("|")})(/|$)`, message: `tools/${folder}/ sits below ${out.map((f) => `tools/${f}/`).join(", ")}: move the shared part down instead.` }];
}

/** The import patterns a folder may not use; `plain` folders (in the pack's closure) also load nothing by `require`. */
const rule = (plain, ...patterns) => ({
    "no-restricted-imports": ["error", { patterns }],
    ...(plain ? { "no-restricted-syntax": ["error", noRequire] } : {}),
});

export default tseslint.config(
    {
        // test/ has no boundary (a suite may import any layer), so nothing here applies to it.
        ignores: ["dist/**", "node_modules/**", "test/**", "vitest.config.mts", "tools/bench/synthetic/**", "notebooks/**"],
    },
    {
        files: ["**/*.ts", "**/*.mts"],
        languageOptions: { parser: tseslint.parser },
        // Registered (no rule of it is on) so that the tree's existing disable comments resolve.
        plugins: { "@typescript-eslint": tseslint.plugin },
        linterOptions: { reportUnusedDisableDirectives: "off" },
    },
    {
        files: ["domain/**/*.ts"],
        rules: rule(true, noPulumi("domain/"), noFolder(["stacks", "components", "policies", "tools"], "domain/ is read by every other folder, never the reverse.")),
    },
    {
        files: ["components/**/*.ts"],
        rules: rule(false, noFolder(["stacks", "policies", "tools"], "components/ build on domain/ only; the program (stacks/) composes them.")),
    },
    {
        files: ["stacks/**/*.ts"],
        rules: rule(false, noFolder(["policies", "tools"], "The program composes components/ from domain/ facts; the pack and the tools judge it from outside.")),
    },
    {
        files: ["policies/**/*.ts"],
        rules: rule(
            true,
            noProviderSdk,
            noFolder(["stacks", "components"], "The pack reads domain/ and the graph read-model (tools/model/), never the program."),
            { regex: "^(\\.\\./)+tools/(?!model/)", message: "The pack reads the graph read-model (tools/model/) only, not the rest of the tools." },
        ),
    },
    ...toolLayers.flat().map((folder) => ({
        files: [`tools/${folder}/**/*.ts`],
        rules: rule(
            folder === "model",
            ...(folder === "model" ? [noPulumi("tools/model/ (the graph read-model)")] : []),
            noFolder(["stacks", "policies"], "The tools evaluate the program and start the pack; they import neither."),
            ...(folder === "bench" ? [] : [noFolder(["components"], "The tools read facts from domain/, not from the components.")]),
            ...toolsFolder(folder),
        ),
    })),
);
