const cache = new Map<string, RegExp>();

/**
 * IAM-style wildcard (`*` any run, `?` one character). Actions compare case-insensitively (IAM does);
 * ARNs and bucket names compare case-sensitively.
 */
export function wildcardRegExp(pattern: string, caseInsensitive: boolean): RegExp {
  const key = `${caseInsensitive ? 'i' : 's'}:${pattern}`;
  let re = cache.get(key);
  if (re === undefined) {
    const body = pattern
      .split('')
      .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
    cache.set(key, re);
  }
  return re;
}

export function matchesWildcard(pattern: string, value: string, caseInsensitive = false): boolean {
  if (pattern === '*') return true;
  if (!pattern.includes('*') && !pattern.includes('?')) {
    return caseInsensitive ? pattern.toLowerCase() === value.toLowerCase() : pattern === value;
  }
  return caseInsensitive ? wildcardRegExp(pattern, true).test(value) : globMatches(pattern, value);
}

const STAR = 0x2a;
const QUESTION = 0x3f;

/**
 * What wildcardRegExp(pattern, false).test(value) answers, without building a regular expression
 * (ARN patterns are many and mostly distinct): `*` any run of UTF-16 code units, `?` exactly one,
 * everything else itself. Greedy with backtracking to the last `*`, which is exact for these patterns.
 */
function globMatches(pattern: string, value: string): boolean {
  let p = 0;
  let v = 0;
  let star = -1;
  let resume = 0;
  while (v < value.length) {
    const c = pattern.charCodeAt(p);
    if (p < pattern.length && c !== STAR && (c === QUESTION || c === value.charCodeAt(v))) {
      p++;
      v++;
    } else if (p < pattern.length && c === STAR) {
      star = p++;
      resume = v;
    } else if (star >= 0) {
      p = star + 1;
      v = ++resume;
    } else return false;
  }
  while (p < pattern.length && pattern.charCodeAt(p) === STAR) p++;
  return p === pattern.length;
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
