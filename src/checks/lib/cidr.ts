/**
 * IPv4 / IPv6 CIDR arithmetic for the network rules (LVS004, LVS005): parsing, containment, and
 * "is this block wholly inside these blocks". Addresses are BigInts so that IPv6 needs no special case.
 * Pure and total: a text that is not a CIDR parses to `undefined`, never a throw.
 */

export type IpVersion = 4 | 6;

export interface Cidr {
  version: IpVersion;
  /** The network address (host bits cleared), as an unsigned integer of 32 or 128 bits. */
  network: bigint;
  /** Prefix length, 0..32 or 0..128. */
  prefix: number;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

/** The mask of the network part of a /prefix in a `bits`-wide address. */
function networkMask(bits: number, prefix: number): bigint {
  const all = (1n << BigInt(bits)) - 1n;
  return prefix === 0 ? 0n : (all >> BigInt(bits - prefix)) << BigInt(bits - prefix);
}

/** Dotted-quad IPv4 address -> 32-bit integer; strict (four decimal octets 0..255, no leading zeros). */
export function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part)) return undefined;
    const octet = Number(part);
    if (octet > 255) return undefined;
    value = (value << 8n) | BigInt(octet);
  }
  return value;
}

/** IPv6 address (with `::` compression and an optional trailing dotted IPv4) -> 128-bit integer. */
export function parseIpv6(text: string): bigint | undefined {
  if (text.length === 0 || text.split('::').length > 2) return undefined;
  const [head = '', tail] = text.split('::') as [string, string | undefined];
  const groupsOf = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    const pieces = s.split(':');
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i] ?? '';
      if (i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else {
        if (!/^[0-9a-fA-F]{1,4}$/.test(piece)) return undefined;
        out.push(parseInt(piece, 16));
      }
    }
    return out;
  };
  const left = groupsOf(head);
  const right = tail === undefined ? [] : groupsOf(tail);
  if (left === undefined || right === undefined) return undefined;
  // An embedded IPv4 is only allowed at the very end.
  if (tail !== undefined && head.includes('.')) return undefined;
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 1) return undefined;
  const groups = [...left, ...Array<number>(tail === undefined ? 0 : missing).fill(0), ...right];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
}

/**
 * "10.0.0.0/8", "2001:db8::/32"; a bare address is a /32 or /128. Host bits are cleared
 * ("10.1.2.3/8" is 10.0.0.0/8), as EC2 does when it stores a rule.
 */
export function parseCidr(text: string): Cidr | undefined {
  const trimmed = text.trim();
  const slash = trimmed.indexOf('/');
  const address = slash < 0 ? trimmed : trimmed.slice(0, slash);
  const prefixText = slash < 0 ? undefined : trimmed.slice(slash + 1);
  const version: IpVersion = address.includes(':') ? 6 : 4;
  const value = version === 4 ? parseIpv4(address) : parseIpv6(address);
  if (value === undefined) return undefined;
  const bits = BITS[version];
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9]\d{0,2})$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > bits) return undefined;
  }
  return { version, network: value & networkMask(bits, prefix), prefix };
}

/** The first and last address of a block. */
export function rangeOf(cidr: Cidr): { first: bigint; last: bigint } {
  const hostBits = BigInt(BITS[cidr.version] - cidr.prefix);
  return { first: cidr.network, last: cidr.network | ((1n << hostBits) - 1n) };
}

/** True when `address` (an integer of the same family) lies in `cidr`. */
export function containsAddress(cidr: Cidr, version: IpVersion, address: bigint): boolean {
  if (cidr.version !== version) return false;
  return (address & networkMask(BITS[version], cidr.prefix)) === cidr.network;
}

/** True when every address of `inner` is in `outer` (same family, outer no longer, same network bits). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.version !== inner.version || outer.prefix > inner.prefix) return false;
  return (inner.network & networkMask(BITS[outer.version], outer.prefix)) === outer.network;
}

/** True when the two blocks share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

/** The two halves of a block (undefined for a single address). */
function halves(cidr: Cidr): [Cidr, Cidr] | undefined {
  const bits = BITS[cidr.version];
  if (cidr.prefix >= bits) return undefined;
  const prefix = cidr.prefix + 1;
  const high = cidr.network | (1n << BigInt(bits - prefix));
  return [
    { version: cidr.version, network: cidr.network, prefix },
    { version: cidr.version, network: high, prefix },
  ];
}

/**
 * True when every address of `cidr` is in the union of `blocks`, even when no single block holds it
 * (10.0.0.0/15 is covered by 10.0.0.0/16 + 10.1.0.0/16). Blocks of the other family are ignored.
 */
export function coveredBy(cidr: Cidr, blocks: readonly Cidr[]): boolean {
  const relevant = blocks.filter((b) => b.version === cidr.version && cidrOverlaps(b, cidr));
  if (relevant.some((b) => cidrContains(b, cidr))) return true;
  // No block holds it whole; only blocks strictly inside it can cover it, half by half.
  if (relevant.length === 0) return false;
  const parts = halves(cidr);
  return parts !== undefined && parts.every((half) => coveredBy(half, relevant));
}

/**
 * Address space that is not reachable on the public internet: RFC 1918, RFC 6598 shared space
 * (carrier-grade NAT), loopback, link-local (IMDS), IPv6 unique-local, link-local and loopback.
 */
export const PRIVATE_RANGES: readonly string[] = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
];

const PRIVATE_BLOCKS: readonly Cidr[] = PRIVATE_RANGES.map((text) => {
  const cidr = parseCidr(text);
  if (cidr === undefined) throw new Error(`bad built-in range ${text}`);
  return cidr;
});

/** True when the whole block is private address space (see PRIVATE_RANGES). */
export function isPrivateCidr(cidr: Cidr): boolean {
  return coveredBy(cidr, PRIVATE_BLOCKS);
}

/**
 * LVS005's "public" (also used by LVS004): a destination block is public unless it lies wholly inside
 * the union of the VPC's own CIDR blocks and private address space. A text that is not a CIDR is public:
 * what cannot be shown to be private is not allowed.
 */
export function isPublicDestination(text: string, vpcCidrs: readonly string[]): boolean {
  const cidr = parseCidr(text);
  if (cidr === undefined) return true;
  const vpcBlocks = vpcCidrs.map(parseCidr).filter((c): c is Cidr => c !== undefined);
  return !coveredBy(cidr, [...PRIVATE_BLOCKS, ...vpcBlocks]);
}

/** Canonical text of a block: "10.0.0.0/8", "2001:db8::/32" (IPv6 with the longest zero run compressed). */
export function formatCidr(cidr: Cidr): string {
  if (cidr.version === 4) {
    const octets = [24n, 16n, 8n, 0n].map((shift) => String((cidr.network >> shift) & 0xffn));
    return `${octets.join('.')}/${cidr.prefix}`;
  }
  const groups = Array.from({ length: 8 }, (_, i) =>
    Number((cidr.network >> BigInt(112 - 16 * i)) & 0xffffn),
  );
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i > 1) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  const text =
    bestStart < 0
      ? hex.join(':')
      : `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
  return `${text}/${cidr.prefix}`;
}

export type DestinationClass = 'public' | 'internal' | 'unknown';

/**
 * isPublicDestination when the VPC's CIDRs may be unknown (`undefined`): then only private address
 * space is known to be internal, the whole address space (/0) is known to be public, and anything else
 * is `unknown` (it might be a VPC block outside private space).
 */
export function classifyDestination(text: string, vpcCidrs: readonly string[] | undefined): DestinationClass {
  if (!isPublicDestination(text, vpcCidrs ?? [])) return 'internal';
  if (vpcCidrs !== undefined) return 'public';
  const cidr = parseCidr(text);
  return cidr === undefined || cidr.prefix === 0 ? 'public' : 'unknown';
}
