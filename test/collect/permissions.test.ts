import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  OPERATION_ACTIONS,
  permissionsPolicy,
  permissionsPolicyJson,
  requiredActions,
} from '../../src/collect/permissions.js';
import { isReadOnlyOperation } from '../../src/collect/read-only-guard.js';
import { parsePolicy } from '../../src/policy/document.js';
import { iamCatalog } from '../helpers/golden.js';

const COLLECT = fileURLToPath(new URL('../../src/collect/', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) =>
    d.isDirectory() ? files(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : [],
  );
}

/** `service:Operation` for every *Command imported from an AWS SDK client under src/collect. */
function commandsUsed(): string[] {
  const used = new Set<string>();
  for (const file of files(COLLECT)) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(
      /import\s*(?!type\b)\{([^}]*)\}\s*from\s*'@aws-sdk\/client-([a-z0-9-]+)'/g,
    )) {
      const service = m[2] === 's3-control' ? 's3control' : m[2]!;
      for (const spec of m[1]!.split(',')) {
        const name = spec
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0]!;
        if (/^[A-Z]\w*Command$/.test(name) && !spec.trim().startsWith('type '))
          used.add(`${service}:${name.replace(/Command$/, '')}`);
      }
    }
  }
  return [...used].sort();
}

describe('lvs permissions', () => {
  it("finds the collectors' commands", () => {
    expect(commandsUsed()).toContain('lambda:GetPolicy');
    expect(commandsUsed()).toContain('s3control:GetPublicAccessBlock');
    expect(commandsUsed().length).toBeGreaterThanOrEqual(25);
  });

  it('covers every command class the collectors import, and nothing else', () => {
    expect(Object.keys(OPERATION_ACTIONS).sort()).toEqual(commandsUsed());
  });

  it('asks only for reads', async () => {
    for (const operation of Object.keys(OPERATION_ACTIONS))
      expect(isReadOnlyOperation(operation.split(':')[1]!)).toBe(true);
    const catalog = await iamCatalog();
    for (const action of requiredActions()) {
      const info = catalog.lookup(action);
      expect(info, action).toBeDefined();
      expect(info!.accessLevel, action).toMatch(/^(Read|List)$/);
    }
  });

  it('prints a valid policy document granting each action once', () => {
    const text = permissionsPolicyJson();
    const parsed = parsePolicy(text);
    expect(parsed.ok).toBe(true);
    const granted = permissionsPolicy().Statement.flatMap((s) => s.Action);
    expect(granted.sort()).toEqual(requiredActions());
    expect(new Set(granted).size).toBe(granted.length);
    expect(permissionsPolicy().Statement.every((s) => s.Effect === 'Allow' && s.Resource === '*')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
  });
});
