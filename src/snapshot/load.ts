import { readFile } from 'node:fs/promises';
import { LvsInputError, toJsonPath } from '../core/errors.js';
import { fastParser } from './fast-parse.js';
import { accountSnapshotSchema, type AccountSnapshot } from './schema.js';
import { shareIdentifierStrings } from './share-strings.js';

/** accountSnapshotSchema's output for a valid snapshot, made without zod; undefined means "ask zod". */
const fastParseSnapshot = fastParser(accountSnapshotSchema);

/** Validates already-parsed JSON (a fresh document: see shareIdentifierStrings); the error names the JSON path of the first problem. */
export function parseSnapshot(json: unknown, file: string): AccountSnapshot {
  const snapshot = fastParseSnapshot(json) ?? zodParse(json, file);
  shareIdentifierStrings(snapshot);
  return snapshot;
}

function zodParse(json: unknown, file: string): AccountSnapshot {
  const parsed = accountSnapshotSchema.safeParse(json);
  if (parsed.success) return parsed.data;
  const first = parsed.error.issues[0];
  const path = first ? toJsonPath(first.path) : '$';
  const message = first?.message ?? 'invalid snapshot';
  throw new LvsInputError(`invalid snapshot: ${message}`, { file, jsonPath: path });
}

export async function loadSnapshot(file: string): Promise<AccountSnapshot> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LvsInputError(
      code === 'ENOENT' ? 'snapshot file not found' : `cannot read snapshot (${code})`,
      {
        file,
      },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LvsInputError(`not valid JSON (${(error as Error).message})`, { file });
  }
  return parseSnapshot(json, file);
}
