/**
 * `${JSON.stringify(doc, null, indent)}\n`, byte for byte, for a document whose bulk is one array
 * (the results). JSON.stringify gives a very large document as a deep tree of string pieces, which
 * costs as much again to flatten when it is written out; here the array is written in slices, each
 * by JSON.stringify itself at the array's depth, and the document is handed out as those pieces in
 * order (the CLI writes them one by one) or joined once into a flat string.
 *
 * The document must be plain data (no toJSON methods, as the renderers build it). Whenever the
 * splice cannot be shown to be exact, the plain JSON.stringify result is returned instead.
 */

/** Elements per slice: a slice is written as one string of a few hundred kilobytes. */
const SLICE = 256;

/** A value that is not in any document: where the array goes in the rest of the document. */
const MARK = '\u0000lvs:array-goes-here\u0000';

type Path = ReadonlyArray<string | number>;

/** `doc` with the value at `path` replaced (containers along the path copied, nothing else). */
function replaced(doc: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const [key, ...rest] = path as [string | number, ...Array<string | number>];
  if (Array.isArray(doc)) {
    const copy: unknown[] = [...(doc as unknown[])];
    copy[key as number] = replaced(copy[key as number], rest, value);
    return copy;
  }
  const record = doc as Record<string, unknown>;
  return { ...record, [key]: replaced(record[key], rest, value) };
}

function plain(doc: unknown, indent: number | undefined): string {
  return `${JSON.stringify(doc, null, indent)}\n`;
}

/**
 * JSON.stringify(doc, null, indent) followed by a newline, as pieces to write in order, with `array`
 * (the value found at `path` in `doc`) written slice by slice. `path` leads from the document to the
 * array through object keys and array indices. Every slice is made (and checked) before any piece
 * is handed out, so a fallback to plain JSON.stringify never follows a partial document.
 */
export function stringifyDocumentPieces(
  doc: unknown,
  indent: number | undefined,
  path: Path,
  array: readonly unknown[],
): string[] {
  const whole = (): string[] => [plain(doc, indent)];
  const width = typeof indent === 'number' ? Math.min(10, Math.trunc(indent)) : 0;
  if (!(width >= 1) || array.length === 0 || !Array.isArray(array)) return whole();
  const gap = ' '.repeat(width);

  // The rest of the document, with a one-element array in place of the big one.
  const rest = JSON.stringify(replaced(doc, path, [MARK]), null, indent);
  const mark = JSON.stringify(MARK);
  const at = rest.indexOf(mark);
  if (at < 0 || rest.indexOf(mark, at + 1) >= 0) return whole();

  // The array's elements sit `depth` containers deep; JSON.stringify writes them there when they
  // are wrapped in as many arrays, between this prefix and suffix.
  const depth = path.length + 1;
  let prefix = '';
  let suffix = '';
  for (let level = 0; level < depth; level++) {
    prefix += `[\n${gap.repeat(level + 1)}`;
    suffix = `\n${gap.repeat(level)}]${suffix}`;
  }
  const separator = `,\n${gap.repeat(depth)}`;

  const pieces: string[] = [rest.slice(0, at)];
  for (let start = 0; start < array.length; start += SLICE) {
    let wrapped: unknown = array.slice(start, start + SLICE);
    for (let level = 1; level < depth; level++) wrapped = [wrapped];
    const text = JSON.stringify(wrapped, null, indent);
    if (!text.startsWith(prefix) || !text.endsWith(suffix)) return whole();
    if (start > 0) pieces.push(separator);
    pieces.push(text.slice(prefix.length, text.length - suffix.length));
  }
  pieces.push(rest.slice(at + mark.length), '\n');
  return pieces;
}
