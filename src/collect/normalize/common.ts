import type { z } from 'zod';

/** Helpers shared by the pure mappers: AWS answers are full of optional fields, the snapshot is not. */

/** Thrown by a mapper when an answer lacks what the snapshot needs; the caller records it as an error. */
export class UnexpectedResponseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnexpectedResponse';
  }
}

export function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null || (typeof value === 'string' && value === '')) {
    throw new UnexpectedResponseError(`the answer has no ${what}`);
  }
  return value;
}

export const strings = (values: ReadonlyArray<string | undefined> | undefined): string[] =>
  (values ?? []).filter((v): v is string => typeof v === 'string' && v !== '');

/** Stable order for lists read in batches. */
export function sortBy<T>(items: T[], key: (item: T) => string): T[] {
  return items.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Drops duplicates (a resource can come back in two batches when filters overlap), keeping the first. */
export function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * Checks a mapped value against its snapshot schema, so that an answer the model cannot hold (an
 * emulator's odd ID, an unknown enum value) becomes an UnexpectedResponse error for that read
 * instead of a snapshot that fails validation as a whole.
 */
export function conform<S extends z.ZodType>(schema: S, value: z.input<S>, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue && issue.path.length > 0 ? `.${issue.path.join('.')}` : '';
  throw new UnexpectedResponseError(`${what}${path}: ${issue?.message ?? 'invalid'}`);
}
