import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import jsonPatch from 'fast-json-patch';
import * as z from 'zod';
import { GOLDEN_PATH } from './golden.js';

/**
 * A variant is a minimal change to the golden snapshot (an RFC 6902 JSON Patch) and the exact set of
 * non-passing results it must produce: fixtures/variants/<slug>/variant.json.
 */
export const variantSchema = z.strictObject({
  description: z.string().min(10),
  patch: z.array(z.record(z.string(), z.unknown())).min(1),
  expect: z
    .array(
      z.strictObject({
        ruleId: z.string().regex(/^LVS\d{3}$/),
        status: z.enum(['fail', 'error']),
        reasonId: z.string(),
        severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
      }),
    )
    .min(1),
});
export type Variant = z.infer<typeof variantSchema> & { slug: string; dir: string };

export const VARIANTS_DIR = fileURLToPath(new URL('../../fixtures/variants/', import.meta.url));

export function loadVariants(): Variant[] {
  return readdirSync(VARIANTS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((slug) => {
      const dir = `${VARIANTS_DIR}${slug}`;
      const parsed = variantSchema.parse(JSON.parse(readFileSync(`${dir}/variant.json`, 'utf8')));
      return { ...parsed, slug, dir };
    });
}

/** The golden snapshot JSON with the variant's patch applied (not yet validated). */
export function applyVariant(variant: Pick<Variant, 'patch' | 'slug'>): unknown {
  const golden: unknown = JSON.parse(readFileSync(GOLDEN_PATH, 'utf8'));
  const operations = variant.patch as unknown as jsonPatch.Operation[];
  const errors = jsonPatch.validate(operations, golden);
  if (errors) throw new Error(`variant ${variant.slug}: patch does not apply: ${errors.message}`);
  return jsonPatch.applyPatch(golden, operations, true, false).newDocument;
}
