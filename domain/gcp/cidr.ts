/** IPv4 CIDR arithmetic for config checks: pure, no Pulumi import. */

export interface Cidr {
    /** The network address as an unsigned 32-bit integer. */
    base: number;
    prefix: number;
}

export function parseCidr(text: string): Cidr {
    const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
    if (!match) throw new RangeError(`${JSON.stringify(text)}: expected an IPv4 CIDR block such as 10.0.0.0/20`);
    const octets = match.slice(1, 5).map(Number);
    const prefix = Number(match[5]);
    if (octets.some((o) => o > 255) || prefix > 32) {
        throw new RangeError(`${JSON.stringify(text)}: expected octets up to 255 and a prefix up to 32`);
    }
    const base = octets.reduce((acc, o) => acc * 256 + o, 0);
    return { base, prefix };
}

function size(cidr: Cidr): number {
    return 2 ** (32 - cidr.prefix);
}

/** True when the address is the first of its block (GCP rejects 10.28.1.0/22, say). */
export function isNetworkAddress(text: string): boolean {
    const cidr = parseCidr(text);
    return cidr.base % size(cidr) === 0;
}

export function cidrsOverlap(a: string, b: string): boolean {
    const x = parseCidr(a);
    const y = parseCidr(b);
    return x.base < y.base + size(y) && y.base < x.base + size(x);
}
