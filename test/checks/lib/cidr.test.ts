import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  classifyDestination,
  containsAddress,
  coveredBy,
  formatCidr,
  isPrivateCidr,
  isPublicDestination,
  parseCidr,
  parseIpv6,
  rangeOf,
  type Cidr,
} from '../../../src/checks/lib/cidr.js';

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (parsed === undefined) throw new Error(`test CIDR ${text} does not parse`);
  return parsed;
};

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', 4, 10n << 24n, 8],
    ['0.0.0.0/0', 4, 0n, 0],
    ['8.8.8.8', 4, 0x08080808n, 32],
    ['10.1.2.3/8', 4, 10n << 24n, 8],
    ['::/0', 6, 0n, 0],
    ['::1/128', 6, 1n, 128],
    ['2001:db8::/32', 6, 0x20010db8n << 96n, 32],
    ['fe80::1/10', 6, 0xfe80n << 112n, 10],
    ['::ffff:192.0.2.1/128', 6, (0xffffn << 32n) | 0xc0000201n, 128],
  ] as const)('parses %s', (text, version, network, prefix) => {
    expect(parseCidr(text)).toEqual({ version, network, prefix });
  });

  it.each([
    '',
    '10.0.0.0/33',
    '256.0.0.0/8',
    '10.0.0/8',
    '01.0.0.0/8',
    '10.0.0.0/-1',
    '::/129',
    '1:::2/64',
    '1:2:3:4:5:6:7:8:9/64',
    'abc',
    '10.0.0.0/08',
    '1.2.3.4::/64',
  ])('rejects %j', (text) => {
    expect(parseCidr(text)).toBeUndefined();
  });

  it('expands :: in the middle and at either end', () => {
    expect(parseIpv6('1::')).toBe(1n << 112n);
    expect(parseIpv6('::2')).toBe(2n);
    expect(parseIpv6('1::2')).toBe((1n << 112n) | 2n);
    expect(parseIpv6('1:2:3:4:5:6:7:8')).toBe(0x00010002000300040005000600070008n);
    expect(parseIpv6('1:2:3:4:5:6:7::8')).toBeUndefined();
  });
});

describe('containment and coverage', () => {
  it('a block contains its sub-blocks and not its neighbours', () => {
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('10.20.0.0/16'))).toBe(true);
    expect(cidrContains(cidr('10.20.0.0/16'), cidr('10.0.0.0/8'))).toBe(false);
    expect(cidrContains(cidr('10.0.0.0/8'), cidr('11.0.0.0/16'))).toBe(false);
    expect(cidrContains(cidr('::/0'), cidr('10.0.0.0/8'))).toBe(false);
  });

  it('covers a block split across adjacent blocks', () => {
    const blocks = [cidr('10.0.0.0/16'), cidr('10.1.0.0/16')];
    expect(coveredBy(cidr('10.0.0.0/15'), blocks)).toBe(true);
    expect(coveredBy(cidr('10.0.0.0/14'), blocks)).toBe(false);
    expect(coveredBy(cidr('10.0.5.0/24'), blocks)).toBe(true);
  });

  it('private ranges', () => {
    for (const text of [
      '10.0.0.0/8',
      '172.20.0.0/16',
      '192.168.1.0/24',
      '100.64.0.0/10',
      '169.254.169.254/32',
      'fd00::/8',
      'fe80::/64',
      '::1/128',
    ]) {
      expect(isPrivateCidr(cidr(text)), text).toBe(true);
    }
    for (const text of [
      '0.0.0.0/0',
      '8.8.8.8/32',
      '172.32.0.0/16',
      '11.0.0.0/8',
      '::/0',
      '2001:db8::/32',
      '172.0.0.0/8',
    ]) {
      expect(isPrivateCidr(cidr(text)), text).toBe(false);
    }
  });
});

describe('isPublicDestination / classifyDestination (SPEC LVS005)', () => {
  const vpc = ['10.20.0.0/16', '2600:1f18:abcd:ef00::/56'];

  it.each([
    ['0.0.0.0/0', true],
    ['::/0', true],
    ['8.8.8.8/32', true],
    ['10.0.0.0/8', false],
    ['10.20.1.0/24', false],
    ['2600:1f18:abcd:ef01::/64', false],
    ['2600:1f18:abcd::/48', true],
    ['not-a-cidr', true],
  ] as const)('%s is public: %s', (text, expected) => {
    expect(isPublicDestination(text, vpc)).toBe(expected);
  });

  it('a VPC block outside private space is internal to that VPC only', () => {
    expect(isPublicDestination('52.0.1.0/24', ['52.0.0.0/16'])).toBe(false);
    expect(isPublicDestination('52.0.1.0/24', [])).toBe(true);
  });

  it('without the VPC CIDRs, only private space and /0 are decided', () => {
    expect(classifyDestination('10.9.0.0/16', undefined)).toBe('internal');
    expect(classifyDestination('0.0.0.0/0', undefined)).toBe('public');
    expect(classifyDestination('::/0', undefined)).toBe('public');
    expect(classifyDestination('52.0.1.0/24', undefined)).toBe('unknown');
    expect(classifyDestination('52.0.1.0/24', ['10.0.0.0/16'])).toBe('public');
  });
});

// Arbitrary blocks of either family, built from random bits and a random prefix.
const v4 = fc.tuple(fc.bigInt({ min: 0n, max: (1n << 32n) - 1n }), fc.integer({ min: 0, max: 32 }));
const v6 = fc.tuple(fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), fc.integer({ min: 0, max: 128 }));
const arbCidr = fc.oneof(
  v4.map(([bits, prefix]) => cidrOf(4, bits, prefix)),
  v6.map(([bits, prefix]) => cidrOf(6, bits, prefix)),
);
function cidrOf(version: 4 | 6, bits: bigint, prefix: number): Cidr {
  const width = version === 4 ? 32 : 128;
  const mask =
    prefix === 0 ? 0n : (((1n << BigInt(width)) - 1n) >> BigInt(width - prefix)) << BigInt(width - prefix);
  return { version, network: bits & mask, prefix };
}

describe('properties', () => {
  it('a block contains every one of its addresses, and no address just outside it', () => {
    fc.assert(
      fc.property(arbCidr, fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }), (block, offset) => {
        const { first, last } = rangeOf(block);
        const size = last - first + 1n;
        expect(containsAddress(block, block.version, first + (offset % size))).toBe(true);
        const width = block.version === 4 ? 32n : 128n;
        if (last + 1n < 1n << width) expect(containsAddress(block, block.version, last + 1n)).toBe(false);
        if (first > 0n) expect(containsAddress(block, block.version, first - 1n)).toBe(false);
      }),
    );
  });

  it('containment is reflexive and transitive, and a block is covered by itself', () => {
    fc.assert(
      fc.property(arbCidr, fc.integer({ min: 0, max: 128 }), fc.integer({ min: 0, max: 128 }), (c, a, b) => {
        const width = c.version === 4 ? 32 : 128;
        const outer = cidrOf(c.version, c.network, Math.min(a % (width + 1), c.prefix));
        const middle = cidrOf(
          c.version,
          c.network,
          Math.max(outer.prefix, Math.min(b % (width + 1), c.prefix)),
        );
        expect(cidrContains(c, c)).toBe(true);
        expect(cidrContains(outer, middle)).toBe(true);
        expect(cidrContains(middle, c)).toBe(true);
        expect(cidrContains(outer, c)).toBe(true);
        expect(coveredBy(c, [c])).toBe(true);
      }),
    );
  });

  it('the two halves of a block cover it, and one half alone does not', () => {
    fc.assert(
      fc.property(arbCidr, (c) => {
        const width = c.version === 4 ? 32 : 128;
        fc.pre(c.prefix < width);
        const low = cidrOf(c.version, c.network, c.prefix + 1);
        const high = cidrOf(c.version, c.network | (1n << BigInt(width - c.prefix - 1)), c.prefix + 1);
        expect(coveredBy(c, [low, high])).toBe(true);
        expect(coveredBy(c, [high, low])).toBe(true);
        expect(coveredBy(c, [low])).toBe(false);
      }),
    );
  });

  it('formatting and parsing round-trip', () => {
    fc.assert(
      fc.property(arbCidr, (c) => {
        expect(parseCidr(formatCidr(c))).toEqual(c);
      }),
    );
  });
});
