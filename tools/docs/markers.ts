/**
 * Generated sections of hand-written docs. A doc keeps its prose; only the text between a
 * pair of markers is the generator's, so a reviewer sees prose and generated blocks apart.
 */

export function startMarker(id: string): string {
    return `<!-- generated:${id}:start — run \`npm run docs\`; do not edit by hand -->`;
}

export function endMarker(id: string): string {
    return `<!-- generated:${id}:end -->`;
}

export function generatedBlock(id: string, content: string): string {
    return `${startMarker(id)}\n${content.trimEnd()}\n${endMarker(id)}`;
}

/**
 * Replaces every generated section of `doc` with the generator's content. A section the doc
 * has but the generator does not produce, or the reverse, is an error: the doc and the
 * generator must agree on which sections exist.
 */
export function fillGenerated(doc: string, sections: Record<string, string>, file = "the document"): string {
    const pattern = /<!-- generated:([a-z0-9-]+):start[^>]*-->[\s\S]*?<!-- generated:\1:end -->/g;
    const seen = new Set<string>();
    const filled = doc.replace(pattern, (_match, id: string) => {
        if (!(id in sections)) throw new Error(`${file}: generated section "${id}" is not produced by the generator; expected one of ${Object.keys(sections).join(", ")}`);
        seen.add(id);
        return generatedBlock(id, sections[id]);
    });
    const missing = Object.keys(sections).filter((id) => !seen.has(id));
    if (missing.length > 0) {
        throw new Error(`${file}: missing generated section(s) ${missing.join(", ")}: add ${missing.map(startMarker).join(" … ")} and the matching end marker`);
    }
    return filled;
}
