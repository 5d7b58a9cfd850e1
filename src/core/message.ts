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
