/**
 * The AWS wire formats the emulator speaks: query-protocol form bodies in, XML out (EC2, IAM, STS,
 * S3), JSON for KMS and Lambda. Kept apart from the services so that each service module only
 * says what an operation answers, not how it is encoded.
 */

export type XmlValue =
  string | number | boolean | null | undefined | readonly XmlValue[] | { readonly [key: string]: XmlValue };

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/**
 * One element. Arrays are wrapped lists whose entries are `<listItem>` elements (EC2's `item`,
 * IAM's and STS's `member`), or, with `listItem: null`, flattened: the element repeated once per
 * entry (S3's style, e.g. `<Rule>` in a ServerSideEncryptionConfiguration). null/undefined omit the
 * element, as AWS omits absent members.
 */
export function xmlElement(name: string, value: XmlValue, listItem: string | null): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const entries = value as readonly XmlValue[];
    if (listItem === null) return entries.map((entry) => xmlElement(name, entry, null)).join('');
    return `<${name}>${entries.map((entry) => xmlElement(listItem, entry, listItem)).join('')}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, XmlValue>)
      .map(([key, child]) => xmlElement(key, child, listItem))
      .join('');
    return `<${name}>${children}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole XML document whose root element carries the service's namespace. */
export function xmlDocument(
  root: string,
  xmlns: string | null,
  members: { readonly [key: string]: XmlValue },
  listItem: string | null,
): string {
  const body = Object.entries(members)
    .map(([key, value]) => xmlElement(key, value, listItem))
    .join('');
  const ns = xmlns === null ? '' : ` xmlns="${xmlns}"`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${root}${ns}>${body}</${root}>`;
}

/** `application/x-www-form-urlencoded` body of a query-protocol request -> its flat parameters. */
export function parseForm(body: string): Map<string, string> {
  return new Map(new URLSearchParams(body).entries());
}

export type QueryTree = string | QueryTree[] | { [key: string]: QueryTree };

/**
 * Flat query parameters -> a tree: `Filter.1.Name=x&Filter.1.Value.1=y` becomes
 * `{ Filter: [{ Name: 'x', Value: ['y'] }] }` and IAM's `Ids.member.1=a` becomes
 * `{ Ids: { member: ['a'] } }`. Numbered members become arrays in index order.
 */
export function unflattenQuery(params: Map<string, string>): { [key: string]: QueryTree } {
  type Node = { [key: string]: Node | string };
  const root: Node = {};
  for (const [key, value] of params) {
    const parts = key.split('.');
    let node = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next === 'object') node = next;
      else {
        const created: Node = {};
        node[part] = created;
        node = created;
      }
    });
  }
  const toTree = (node: Node | string): QueryTree => {
    if (typeof node === 'string') return node;
    const keys = Object.keys(node);
    if (keys.length > 0 && keys.every((k) => /^\d+$/.test(k))) {
      return keys
        .map(Number)
        .sort((a, b) => a - b)
        .map((k) => toTree(node[String(k)] as Node | string));
    }
    return Object.fromEntries(keys.map((k) => [k, toTree(node[k] as Node | string)]));
  };
  return toTree(root) as { [key: string]: QueryTree };
}

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    status,
    headers: { 'content-type': 'application/x-amz-json-1.1', ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

export function xmlResponse(status: number, body: string, headers: Record<string, string> = {}) {
  return { status, headers: { 'content-type': 'text/xml', ...headers }, body };
}
