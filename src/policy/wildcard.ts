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
  return wildcardRegExp(pattern, caseInsensitive).test(value);
}

export function hasWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('?');
}
