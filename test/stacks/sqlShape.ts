/**
 * Reads a simple SELECT (select list, FROM a table or a subquery, GROUP BY, ORDER BY, LIMIT)
 * into a normalised shape, so two queries are compared by meaning: case of keywords and
 * identifiers, whitespace, comments, optional `AS` and the default sort order do not matter;
 * columns, aggregates, aliases, the table, grouping and ordering do.
 */

export interface SelectShape {
    columns: { expr: string; alias: string }[];
    /** A fully qualified table (`catalog.schema.table`) or a nested query. */
    from: string | SelectShape;
    groupBy: string[];
    orderBy: { expr: string; direction: "ASC" | "DESC" }[];
    limit?: number;
}

const keywords = new Set(["select", "from", "group", "by", "order", "asc", "desc", "as", "limit", "sum", "coalesce", "avg", "count", "min", "max"]);

function tokenize(sql: string): string[] {
    const text = sql.replace(/--[^\n]*/g, " ");
    const tokens = text.match(/[A-Za-z_][A-Za-z0-9_]*|\d+(\.\d+)?|[(),.*+\-/]/g) ?? [];
    if (tokens.join("").length !== text.replace(/\s+/g, "").length) {
        throw new Error(`unexpected characters in ${JSON.stringify(sql)}`);
    }
    return tokens.map((t) => (keywords.has(t.toLowerCase()) ? t.toUpperCase() : /^[A-Za-z_]/.test(t) ? t.toLowerCase() : t));
}

/** Splits tokens on commas outside parentheses. */
function splitTopLevel(tokens: string[]): string[][] {
    const parts: string[][] = [[]];
    let depth = 0;
    for (const t of tokens) {
        if (t === "(") depth += 1;
        if (t === ")") depth -= 1;
        if (t === "," && depth === 0) parts.push([]);
        else parts[parts.length - 1].push(t);
    }
    return parts.filter((p) => p.length > 0);
}

/** The index of the first top-level keyword in `stops` at or after `from`, or tokens.length. */
function nextClause(tokens: string[], from: number, stops: string[]): number {
    let depth = 0;
    for (let i = from; i < tokens.length; i++) {
        if (tokens[i] === "(") depth += 1;
        if (tokens[i] === ")") depth -= 1;
        if (depth === 0 && stops.includes(tokens[i]) && (tokens[i] !== "GROUP" && tokens[i] !== "ORDER" ? true : tokens[i + 1] === "BY")) return i;
    }
    return tokens.length;
}

const expr = (tokens: string[]) => tokens.join(" ");

function parseTokens(tokens: string[], resolve: (table: string) => string): SelectShape {
    if (tokens[0] !== "SELECT") throw new Error(`expected SELECT, got ${tokens[0]}`);
    const fromAt = nextClause(tokens, 1, ["FROM"]);
    const columns = splitTopLevel(tokens.slice(1, fromAt)).map((item) => {
        const as = item.lastIndexOf("AS");
        if (as > 0) return { expr: expr(item.slice(0, as)), alias: item[as + 1] };
        // `expr alias` without AS, or a bare column that names itself.
        if (item.length > 1 && /^[a-z_]/.test(item[item.length - 1]) && item[item.length - 2] !== ".") {
            return { expr: expr(item.slice(0, -1)), alias: item[item.length - 1] };
        }
        return { expr: expr(item), alias: item[item.length - 1] };
    });
    const clauses = ["GROUP", "ORDER", "LIMIT"];
    const fromEnd = nextClause(tokens, fromAt + 1, clauses);
    const fromTokens = tokens.slice(fromAt + 1, fromEnd);
    let from: string | SelectShape;
    if (fromTokens[0] === "(") {
        let depth = 0;
        let close = 0;
        for (let i = 0; i < fromTokens.length; i++) {
            if (fromTokens[i] === "(") depth += 1;
            if (fromTokens[i] === ")" && --depth === 0) {
                close = i;
                break;
            }
        }
        from = parseTokens(fromTokens.slice(1, close), resolve);
    } else {
        from = resolve(fromTokens.filter((t) => t !== "AS").slice(0, fromTokens.indexOf("AS") > 0 ? fromTokens.indexOf("AS") : undefined).join(""));
    }
    const shape: SelectShape = { columns, from, groupBy: [], orderBy: [] };
    let i = fromEnd;
    while (i < tokens.length) {
        const end = nextClause(tokens, i + 1, clauses);
        if (tokens[i] === "GROUP") shape.groupBy = splitTopLevel(tokens.slice(i + 2, end)).map(expr);
        else if (tokens[i] === "ORDER") {
            shape.orderBy = splitTopLevel(tokens.slice(i + 2, end)).map((item) => {
                const last = item[item.length - 1];
                return last === "ASC" || last === "DESC" ? { expr: expr(item.slice(0, -1)), direction: last } : { expr: expr(item), direction: "ASC" };
            });
        } else if (tokens[i] === "LIMIT") shape.limit = Number(tokens[i + 1]);
        i = end;
    }
    return shape;
}

/**
 * The shape of `sql`, with unqualified table names resolved against the default catalog and
 * schema the query runs with.
 */
export function parseSelect(sql: string, defaults: { catalog: string; schema: string }): SelectShape {
    const resolve = (table: string) => {
        const parts = table.split(".");
        if (parts.length === 1) return `${defaults.catalog}.${defaults.schema}.${table}`;
        if (parts.length === 2) return `${defaults.catalog}.${table}`;
        return table;
    };
    return parseTokens(tokenize(sql), resolve);
}
