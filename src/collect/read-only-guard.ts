/**
 * SPEC 3: `audit`, `collect` and `fix --dry-run` must be unable to send a mutating request. Every
 * client lvs builds for them carries this middleware at the very start of its stack (initialize
 * step, high priority): a command whose name is not a read is rejected before it is serialized,
 * signed or sent.
 */

/** Get* operations that are not reads of account state: they mint credentials. */
const NOT_READS = new Set(['GetSessionToken', 'GetFederationToken', 'GetWebIdentityToken']);

/** Describe*, List* and Get* (bar the credential-minting Get*s) are reads; nothing else is. */
export function isReadOnlyOperation(operation: string): boolean {
  const name = operation.replace(/Command$/, '');
  if (NOT_READS.has(name)) return false;
  return /^(Describe|List|Get)[A-Z]/.test(name);
}

export class ReadOnlyViolationError extends Error {
  readonly operation: string;
  constructor(operation: string, clientName: string | undefined) {
    super(
      `lvs is read-only: refused to send ${operation}${clientName ? ` (${clientName})` : ''}, which is not a Describe/List/Get read`,
    );
    this.name = 'ReadOnlyViolation';
    this.operation = operation;
  }
}

export const READ_ONLY_GUARD_NAME = 'lvsReadOnlyGuard';

/** The minimal shape of a client's middleware stack this module needs (every AWS SDK v3 client has it). */
export interface GuardableClient {
  middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string; clientName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; priority: 'high'; name: string; override: boolean },
    ): void;
  };
}

/** Adds the guard to a client; idempotent. */
export function addReadOnlyGuard<C>(client: C): C {
  (client as unknown as GuardableClient).middlewareStack.add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? '').replace(/Command$/, '');
      if (!isReadOnlyOperation(operation))
        throw new ReadOnlyViolationError(operation || '(unnamed command)', context.clientName);
      return next(args);
    },
    { step: 'initialize', priority: 'high', name: READ_ONLY_GUARD_NAME, override: true },
  );
  return client;
}
