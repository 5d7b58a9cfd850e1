import * as z from 'zod';

/** A failed AWS read, recorded so that it reaches the rules as data (SPEC 3: service, operation, resource, code). */
export const apiErrorSchema = z.strictObject({
  service: z.string().min(1),
  operation: z.string().min(1),
  region: z.string().optional(),
  resource: z.string().optional(),
  code: z.string().min(1),
  message: z.string(),
});
export type ApiError = z.infer<typeof apiErrorSchema>;

/**
 * Every AWS read lands in one of three states. `absent` is AWS saying "there is none"
 * (NoSuchBucketPolicy, ResourceNotFoundException on GetPolicy…), which is a fact the rules can judge;
 * `error` is "we could not find out", which rules must turn into an `error` result, never a pass.
 */
export function fetchedSchema<T extends z.ZodType>(value: T) {
  return z.discriminatedUnion('status', [
    z.strictObject({ status: z.literal('ok'), value }),
    z.strictObject({ status: z.literal('absent') }),
    z.strictObject({ status: z.literal('error'), error: apiErrorSchema }),
  ]);
}

export type Fetched<T> =
  { status: 'ok'; value: T } | { status: 'absent' } | { status: 'error'; error: ApiError };

export const ok = <T>(value: T): Fetched<T> => ({ status: 'ok', value });
export const absent = <T>(): Fetched<T> => ({ status: 'absent' });
export const failed = <T>(error: ApiError): Fetched<T> => ({ status: 'error', error });
