import type { Check } from './define-check.js';
import lvs001 from './lvs001-lambda-in-vpc.js';
import lvs002 from './lvs002-lambda-multi-az.js';
import lvs003 from './lvs003-s3-gateway-endpoint-route.js';
import lvs004 from './lvs004-s3-only-via-endpoint.js';
import lvs005 from './lvs005-sg-egress-scoped.js';
import lvs006 from './lvs006-endpoint-policy-scoped.js';
import lvs007 from './lvs007-bucket-policy-pinned-to-endpoint.js';
import lvs008 from './lvs008-role-least-privilege.js';
import lvs009 from './lvs009-env-encrypted-with-cmk.js';
import lvs010 from './lvs010-xray-tracing-active.js';
import lvs011 from './lvs011-function-not-public.js';
import lvs012 from './lvs012-no-plaintext-secrets-in-env.js';
import lvs013 from './lvs013-bucket-encryption-and-public-access-block.js';

/** Every rule, in ID order. test/checks/catalogue.test.ts proves this list matches src/checks/lvs*.ts. */
export const CHECKS: readonly Check[] = [
  lvs001,
  lvs002,
  lvs003,
  lvs004,
  lvs005,
  lvs006,
  lvs007,
  lvs008,
  lvs009,
  lvs010,
  lvs011,
  lvs012,
  lvs013,
];
