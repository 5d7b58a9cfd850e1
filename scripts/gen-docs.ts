/** Writes docs/rules/<ID>-<name>.md and the README's rule table from the rules' metadata. */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { CHECKS } from '../src/checks/registry.js';
import { renderRuleDoc, ruleDocPath, withRuleTable } from '../src/report/catalogue.js';

const metas = CHECKS.map((c) => c.meta);
mkdirSync('docs/rules', { recursive: true });
const wanted = new Set(metas.map(ruleDocPath));
for (const file of readdirSync('docs/rules')) {
  if (!wanted.has(`docs/rules/${file}`)) rmSync(`docs/rules/${file}`);
}
for (const meta of metas) writeFileSync(ruleDocPath(meta), renderRuleDoc(meta));
writeFileSync('README.md', withRuleTable(readFileSync('README.md', 'utf8'), metas));
console.log(`wrote ${metas.length} rule docs and the README rule table`);
