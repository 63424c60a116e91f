// @ts-check
/**
 * Stack names as Pulumi accepts them: `NAME`, or qualified as `ORG/NAME` or `ORG/PROJECT/NAME`
 * (as Pulumi Cloud users write them). Each part has 1 to 100 letters, digits, hyphens,
 * underscores or periods. The stack's own name is the last part: it names the stack file
 * (Pulumi.<name>.yaml) and is what the program sees; a qualified name is never a file name.
 *
 * Plain JavaScript so that the CLI can refuse a bad name before it compiles any TypeScript.
 */
"use strict";

const partPattern = /^[A-Za-z0-9_.-]{1,100}$/;

/**
 * The parts of a stack name, or a message saying why it is not one.
 * @param {string} stack
 * @returns {{ ok: true, name: string, organization?: string, project?: string } | { ok: false, message: string }}
 */
function parseStackName(stack) {
    const parts = stack.split("/");
    const valid = parts.length <= 3 && parts.every((p) => partPattern.test(p) && p !== "." && p !== "..");
    if (!valid) {
        return {
            ok: false,
            message:
                `stack name ${JSON.stringify(stack)} is not valid: expected NAME, ORG/NAME or ORG/PROJECT/NAME, ` +
                "each part 1 to 100 letters, digits, hyphens (-), underscores (_) or periods (.)",
        };
    }
    const name = parts[parts.length - 1];
    if (parts.length === 1) return { ok: true, name };
    if (parts.length === 2) return { ok: true, name, organization: parts[0] };
    return { ok: true, name, organization: parts[0], project: parts[1] };
}

/** The organization the DIY backends give every stack (what `pulumi.getOrganization()` returns there). */
const defaultOrganization = "organization";

/**
 * The fully qualified name (`org/project/stack`) under which a program's stack reference
 * functions find the stack `stack` of `project`: its own outputs, its state.
 * @param {string} project
 * @param {string} stack
 * @returns {string}
 */
function qualifiedStackName(project, stack) {
    return `${defaultOrganization}/${project}/${stack}`;
}

module.exports = { parseStackName, defaultOrganization, qualifiedStackName };
