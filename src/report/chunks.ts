/**
 * A piece of a report document as renderers hand it to the CLI: text, or text already encoded as
 * UTF-8 (the terminal report encodes its lines itself; see terminal.ts). Each chunk ends at a line
 * or value boundary, so a chunk of bytes never splits a character.
 */
export type ReportChunk = string | Uint8Array;

const UTF8 = new TextDecoder();

/** The document the chunks make, as one string. */
export function chunksToText(chunks: Iterable<ReportChunk>): string {
  let text = '';
  for (const chunk of chunks) text += typeof chunk === 'string' ? chunk : UTF8.decode(chunk);
  return text;
}
