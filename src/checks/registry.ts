import type { Check } from './define-check.js';
import lvs001 from './lvs001-lambda-in-vpc.js';

/** Every rule, in ID order. test/checks/catalogue.test.ts proves this list matches src/checks/lvs*.ts. */
export const CHECKS: readonly Check[] = [lvs001];
