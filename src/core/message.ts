export type MessageData = Readonly<Record<string, string | number>>;

const PLACEHOLDER = /\{\{\s*(\w+)\s*\}\}/g;

/**
 * A template split once into its literal text and its placeholders: `parts` alternates literal,
 * placeholder name, literal, …, literal (odd indices are names); `wholes[i]` is the placeholder
 * as written, shown when no value is given.
 */
export interface CompiledTemplate {
  parts: string[];
  wholes: string[];
}

/** Templates come from rule metadata, a small fixed set: each is split once per process. */
const compiled = new Map<string, CompiledTemplate>();

/** The template's literal text and placeholders (a pure function of the text, cached by it). */
export function compileTemplate(template: string): CompiledTemplate {
  let found = compiled.get(template);
  if (found === undefined) {
    const parts: string[] = [];
    const wholes: string[] = [];
    let last = 0;
    for (const match of template.matchAll(PLACEHOLDER)) {
      parts.push(template.slice(last, match.index), match[1] ?? '');
      wholes.push(match[0]);
      last = match.index + match[0].length;
    }
    parts.push(template.slice(last));
    found = { parts, wholes };
    compiled.set(template, found);
  }
  return found;
}

/**
 * Fills `{{name}}` placeholders with `value(name)`, the value's text, or undefined when there is no
 * data for the name: that placeholder stays visible, so a missing value shows in tests. The message
 * is made in one piece (a flat string), since it is kept and read again by every renderer.
 */
export function fillMessage(template: string, value: (name: string) => string | undefined): string {
  const { parts, wholes } = compileTemplate(template);
  if (parts.length === 1) return parts[0] ?? '';
  const pieces = new Array<string>(parts.length);
  for (let i = 0; i < parts.length; i += 1) {
    const part = parts[i] ?? '';
    pieces[i] = i % 2 === 0 ? part : (value(part) ?? wholes[(i - 1) / 2] ?? '');
  }
  return pieces.join('');
}

/** Fills `{{name}}` placeholders. A placeholder with no data stays visible, so a missing value shows in tests. */
export function formatMessage(template: string, data: MessageData = {}): string {
  return fillMessage(template, (name) => (Object.hasOwn(data, name) ? String(data[name]) : undefined));
}

export function placeholdersOf(template: string): string[] {
  return [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1] ?? '');
}
