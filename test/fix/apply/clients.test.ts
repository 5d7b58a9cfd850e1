import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { createAwsClients } from '../../../src/collect/clients.js';
import { isReadOnlyOperation, ReadOnlyViolationError } from '../../../src/collect/read-only-guard.js';
import { createWriteClients } from '../../../src/fix/apply/clients.js';
import {
  commandFor,
  LOOKUP_COMMANDS,
  lookupCommandFor,
  WRITE_COMMANDS,
} from '../../../src/fix/apply/commands.js';
import { FAKE_CREDENTIALS } from '../../collect/helpers/run-collect.js';
import { G } from '../../helpers/golden.js';

/** An HTTP handler that records what reaches it and answers nothing. */
function transport() {
  const sent: string[] = [];
  const requestHandler = {
    handle: (request: { method: string; hostname: string; path: string }) => {
      sent.push(`${request.method} ${request.hostname}${request.path}`);
      return Promise.reject(Object.assign(new Error('transport reached'), { name: 'TransportReached' }));
    },
  } as never;
  return { sent, requestHandler };
}

const put = () => new PutBucketPolicyCommand({ Bucket: G.bucket, Policy: '{"Statement":[]}' });

describe('write clients', () => {
  it('the read-only clients of audit, collect and fix --dry-run still refuse a write before it is sent', async () => {
    const { sent, requestHandler } = transport();
    const clients = createAwsClients({
      env: {},
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
      requestHandler,
    });
    try {
      await expect(clients.s3(G.region).send(put())).rejects.toBeInstanceOf(ReadOnlyViolationError);
      expect(sent).toEqual([]);
    } finally {
      clients.destroy();
    }
  });

  it("the executor's clients send it (signed, path-style with a custom endpoint)", async () => {
    const { sent, requestHandler } = transport();
    const clients = createWriteClients({
      env: {},
      credentials: FAKE_CREDENTIALS,
      maxAttempts: 1,
      requestHandler,
      endpointUrl: 'http://127.0.0.1:4566',
    });
    try {
      await expect(clients.s3(G.region).send(put())).rejects.toMatchObject({ name: 'TransportReached' });
      expect(sent).toEqual([`PUT 127.0.0.1/${G.bucket}/`]);
    } finally {
      clients.destroy();
    }
  });

  it('maps every operation it knows to an SDK command of the same name, and nothing else', () => {
    for (const [service, operations] of Object.entries(WRITE_COMMANDS)) {
      for (const [operation, Command] of Object.entries(operations))
        expect(Command.name).toBe(`${operation}Command`);
      expect(commandFor({ service: service as 'ec2', operation: 'DeleteEverything' })).toBeUndefined();
    }
    expect(commandFor({ service: 'lambda', operation: 'toString' })).toBeUndefined();
  });

  it('reuse lookups map to reads only, which the read-only clients send', () => {
    for (const operations of Object.values(LOOKUP_COMMANDS)) {
      for (const [operation, Command] of Object.entries(operations)) {
        expect(Command.name).toBe(`${operation}Command`);
        expect(isReadOnlyOperation(operation)).toBe(true);
      }
    }
    const reuse = (operation: string) => ({
      lookup: { operation, params: {} },
      notFound: ['NotFoundException'],
      requires: {},
      label: 'a test resource',
      otherwise: 'nothing to do here',
    });
    expect(lookupCommandFor({ service: 'kms', reuse: reuse('DescribeKey') })?.name).toBe(
      'DescribeKeyCommand',
    );
    expect(lookupCommandFor({ service: 'kms', reuse: reuse('GetKeyPolicy') })).toBeUndefined();
    expect(lookupCommandFor({ service: 'ec2', reuse: reuse('DescribeKey') })).toBeUndefined();
    expect(lookupCommandFor({ service: 'kms' })).toBeUndefined();
  });

  it('only the executor and the fix command use the write clients', () => {
    const src = fileURLToPath(new URL('../../../src/', import.meta.url));
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
        d.isDirectory() ? walk(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
      );
    const importing = (pattern: RegExp) =>
      walk(src)
        .filter((file) => pattern.test(readFileSync(file, 'utf8')))
        .map((file) => relative(src, file))
        .sort();
    expect(importing(/from '[./]*(fix\/)?apply\/clients\.js'/)).toEqual([
      'cli/commands/fix.ts',
      'fix/apply.ts',
    ]);
    expect(importing(/from '[./]*fix\/apply\.js'/)).toEqual(['cli/commands/fix.ts']);
  });
});
