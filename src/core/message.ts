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

/** The template's literal text and placeholders (checks/run.ts makes each template's message maker from them once). */
export function compileTemplate(template: string): CompiledTemplate {
  const parts: string[] = [];
  const wholes: string[] = [];
  let last = 0;
  for (const match of template.matchAll(PLACEHOLDER)) {
    parts.push(template.slice(last, match.index), match[1] ?? '');
    wholes.push(match[0]);
    last = match.index + match[0].length;
  }
  parts.push(template.slice(last));
  return { parts, wholes };
}
