import type { Planner } from '../lib/context.js';
import { planner as lvs001 } from './lvs001-lambda-in-vpc.js';
import { planner as lvs002 } from './lvs002-lambda-multi-az.js';
import { planner as lvs003 } from './lvs003-s3-gateway-endpoint-route.js';
import { planner as lvs004 } from './lvs004-s3-only-via-endpoint.js';
import { planner as lvs005 } from './lvs005-sg-egress-scoped.js';
import { planner as lvs006 } from './lvs006-endpoint-policy-scoped.js';
import { planner as lvs007 } from './lvs007-bucket-policy-pinned-to-endpoint.js';
import { planner as lvs008 } from './lvs008-role-least-privilege.js';
import { planner as lvs009 } from './lvs009-env-encrypted-with-cmk.js';
import { planner as lvs010 } from './lvs010-xray-tracing-active.js';
import { planner as lvs011 } from './lvs011-function-not-public.js';
import { planner as lvs012 } from './lvs012-no-plaintext-secrets-in-env.js';
import { planner as lvs013 } from './lvs013-bucket-encryption-and-public-access-block.js';

/**
 * The planners in the order plan.ts runs them: the network first (its consequences are simulated
 * before the others plan), then what depends on it, then the manual ones, whose coverage checks need
 * the automated steps. test/fix/planners/index.test.ts proves there is one per rule of the catalogue.
 */
export const NETWORK_PLANNERS: readonly Planner[] = [lvs003];
export const PLANNERS: readonly Planner[] = [
  lvs005,
  lvs006,
  lvs007,
  lvs013,
  lvs009,
  lvs010,
  lvs011,
  lvs001,
  lvs002,
  lvs004,
  lvs008,
  lvs012,
];

/** Rules whose planner produces automated steps (some findings may still need a manual step). */
export const AUTOMATED_RULES = [
  'LVS003',
  'LVS005',
  'LVS006',
  'LVS007',
  'LVS009',
  'LVS010',
  'LVS011',
  'LVS013',
];
/** Rules whose planner only produces manual steps with templates. */
export const MANUAL_RULES = ['LVS001', 'LVS002', 'LVS004', 'LVS008', 'LVS012'];
