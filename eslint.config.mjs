// @ts-check
/**
 * Import boundaries between the layers, and nothing else: style is left to review.
 * - policies/ (the CrossGuard pack) never imports a provider SDK nor the program (stacks/):
 *   the Pulumi CLI type-checks the pack at every start, and an SDK is about a million lines of
 *   declarations (test/policies/closure.test.ts checks the whole import closure).
 * - domain/ holds plain facts: nothing of Pulumi, the program, the pack or the tools.
 */
import tseslint from "typescript-eslint";

const providerSdks = ["gcp", "databricks", "kubernetes", "random"];

/** `no-restricted-imports` patterns: a provider SDK, by value or by type, and any of its subpaths. */
const noProviderSdk = {
    regex: `^@pulumi/(${providerSdks.join("|")})(/|$)`,
    message: "The policy pack matches resources by type token (policies/lib/resourceTypes.ts); it never loads a provider SDK.",
};
const noStacks = {
    regex: "^(\\.\\./)+stacks(/|$)",
    message: "stacks/ is the program; read the fact from domain/ (or move it there).",
};
const noRequire = {
    selector: "CallExpression[callee.name='require']",
    message: "Import by name, so that the import graph (and this lint) sees what is loaded.",
};

export default tseslint.config(
    {
        ignores: ["dist/**", "node_modules/**", "test/fixtures/**", "tools/bench/synthetic/node_modules/**", "notebooks/**"],
    },
    {
        files: ["**/*.ts", "**/*.mts"],
        languageOptions: { parser: tseslint.parser },
        // Registered (no rule of it is on) so that the tree's existing disable comments resolve.
        plugins: { "@typescript-eslint": tseslint.plugin },
        linterOptions: { reportUnusedDisableDirectives: "off" },
    },
    {
        files: ["policies/**/*.ts"],
        rules: {
            "no-restricted-imports": ["error", { patterns: [noProviderSdk, noStacks] }],
            "no-restricted-syntax": ["error", noRequire],
        },
    },
    {
        files: ["domain/**/*.ts"],
        rules: {
            "no-restricted-imports": [
                "error",
                {
                    patterns: [
                        { regex: "^@pulumi/", message: "domain/ is plain facts: no Pulumi import." },
                        noStacks,
                        { regex: "^(\\.\\./)+(policies|tools)(/|$)", message: "domain/ is read by the pack and the tools, never the reverse." },
                    ],
                },
            ],
            "no-restricted-syntax": ["error", noRequire],
        },
    },
);
