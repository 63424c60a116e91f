// @ts-check
/**
 * Word wrapping for the text reports and the command table's help. Plain JavaScript, so that
 * the command table (tools/cli/commandTable.js) can answer `--help` before any TypeScript loads.
 */
"use strict";

/** Words wrapped to lines of at most `width` characters, each line after the first indented by `indent` more. @param {string} text @param {number} width @param {number} [indent] */
function wrap(text, width, indent = 0) {
    /** @type {string[]} */
    const lines = [];
    let line = "";
    for (const word of text.split(/\s+/).filter(Boolean)) {
        if (line && line.length + 1 + word.length > width) {
            lines.push(line);
            line = word;
        } else {
            line = line ? `${line} ${word}` : word;
        }
    }
    if (line) lines.push(line);
    return lines.map((l, i) => (i === 0 ? l : " ".repeat(indent) + l)).join("\n");
}

module.exports = { wrap };
