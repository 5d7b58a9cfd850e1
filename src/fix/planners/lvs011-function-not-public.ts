import { allowsAnyone, coversAction, isPositiveRestriction } from '../../checks/lib/policy-analysis.js';
import { conditionsOn, parsePolicy, statementLabel, type PolicyStatement } from '../../policy/document.js';
import type { ApiCall, DocumentChange, Step } from '../plan-model.js';
import { prettyJson, prettyText, readPolicy, removeStatementsBySid } from '../policy-merge.js';
import { entryOf, listText, makeStep, type Finding, type PlanContext, type Planner } from '../lib/context.js';

/**
 * LVS011: per function, the function URL first gets AuthType AWS_IAM (the URL stops answering
 * anonymous callers), then each public statement of the resource-based policy is removed by its Sid
 * with lambda:RemovePermission, the only way Lambda offers to change that policy. Other statements
 * are untouched. A statement without a Sid, or a policy lvs cannot parse, makes the step manual.
 */

/** SPEC LVS011: a positive match on one of these keys limits who can invoke. */
const RESTRICTING_KEYS = [
  'aws:SourceArn',
  'aws:SourceAccount',
  'aws:PrincipalOrgID',
  'aws:PrincipalAccount',
  'aws:PrincipalOrgPaths',
];

/** Allow statements that let anyone invoke the function without a restricting condition (the rule's test). */
export function publicInvokeStatements(statements: readonly PolicyStatement[]): PolicyStatement[] {
  return statements.filter(
    (s) =>
      allowsAnyone(s) &&
      (coversAction(s, 'lambda:InvokeFunction') || coversAction(s, 'lambda:InvokeFunctionUrl')) &&
      !RESTRICTING_KEYS.some((key) => conditionsOn(s, key).some(isPositiveRestriction)),
  );
}

function planFunction(finding: Finding, ctx: PlanContext): Step[] {
  const entry = entryOf(ctx.index, finding.functionArn);
  if (entry === undefined) return [];
  const { fn } = entry;
  const region = entry.region.region;
  const base = {
    id: `LVS011:${fn.functionArn}`,
    service: 'lambda' as const,
    region,
    resourceArn: fn.functionArn,
    findings: [finding],
  };
  const api: ApiCall[] = [];
  const documents: DocumentChange[] = [];
  const notes: string[] = [];
  const url = fn.urlConfig.status === 'ok' ? fn.urlConfig.value : undefined;
  if (url?.authType === 'NONE') {
    api.push({
      service: 'lambda',
      operation: 'UpdateFunctionUrlConfig',
      region,
      params: { FunctionName: fn.functionArn, AuthType: 'AWS_IAM' },
      purpose: `require SigV4-signed requests on ${url.functionUrl}`,
    });
    documents.push({
      resourceArn: fn.functionArn,
      label: 'function URL config',
      before: prettyJson({ FunctionUrl: url.functionUrl, AuthType: 'NONE' }),
      after: prettyJson({ FunctionUrl: url.functionUrl, AuthType: 'AWS_IAM' }),
    });
  }
  let manualWhy: string | undefined;
  if (fn.resourcePolicy.status === 'ok') {
    const text = fn.resourcePolicy.value;
    const parsed = parsePolicy(text);
    const read = readPolicy(text);
    if (!parsed.ok || !read.ok)
      manualWhy = `the resource-based policy is ${parsed.ok ? 'unreadable' : parsed.problem}`;
    else {
      const open = publicInvokeStatements(parsed.document.statements);
      const unnamed = open.filter((s) => s.sid === undefined || s.sid === '');
      if (unnamed.length > 0)
        manualWhy = `${listText(unnamed.map(statementLabel))} has no Sid, so RemovePermission cannot name it`;
      else if (open.length > 0) {
        const sids = open.map((s) => s.sid as string);
        for (const sid of sids) {
          api.push({
            service: 'lambda',
            operation: 'RemovePermission',
            region,
            params: { FunctionName: fn.functionArn, StatementId: sid },
            purpose: `remove the public statement "${sid}"`,
          });
        }
        const after = removeStatementsBySid(read.policy, sids).policy;
        documents.push({
          resourceArn: fn.functionArn,
          label: 'function resource-based policy',
          before: prettyText(text),
          after: after.Statement.length === 0 ? null : prettyJson(after),
        });
        notes.push(
          `Other statements of the policy are kept (${read.policy.Statement.length - sids.length}).`,
        );
      }
    }
  }
  const risk = {
    kind: 'connectivity' as const,
    detail: `Callers that invoke ${fn.functionName} anonymously (browsers, webhooks, third parties${url ? `, clients of ${url.functionUrl}` : ''}) are refused from now on. Grant the callers that need it explicitly: a named principal, or a service principal with aws:SourceArn / aws:SourceAccount (aws lambda add-permission), and sign URL requests with SigV4.`,
    resources: [fn.functionArn],
  };
  if (manualWhy !== undefined) {
    return [
      makeStep({
        ...base,
        kind: 'manual',
        title: `Remove public access to ${fn.functionName} by hand (${manualWhy})`,
        risks: [risk],
        template: [
          `aws lambda get-policy --region ${region} --function-name ${fn.functionArn} --query Policy --output text`,
          '# For each statement that grants lambda:InvokeFunction or lambda:InvokeFunctionUrl to "*" without',
          '# aws:SourceArn / aws:SourceAccount / aws:PrincipalOrgID, remove it:',
          `aws lambda remove-permission --region ${region} --function-name ${fn.functionArn} --statement-id SID`,
          ...(url?.authType === 'NONE'
            ? [
                `aws lambda update-function-url-config --region ${region} --function-name ${fn.functionArn} --auth-type AWS_IAM`,
              ]
            : []),
        ].join('\n'),
        notes: [`Not automated: ${manualWhy}.`],
      }),
    ];
  }
  if (api.length === 0) return [];
  return [
    makeStep({
      ...base,
      kind: 'automated',
      title: `Make ${fn.functionName} private (${[
        url?.authType === 'NONE' ? 'URL AuthType AWS_IAM' : '',
        api.some((c) => c.operation === 'RemovePermission') ? 'remove public statements' : '',
      ]
        .filter(Boolean)
        .join(', ')})`,
      api,
      documents,
      preconditions: [
        `the resource-based policy and URL configuration of ${fn.functionName} are still those shown as "before"`,
      ],
      risks: [risk],
      notes,
    }),
  ];
}

export const planner: Planner = {
  ruleId: 'LVS011',
  plan(findings, ctx) {
    return findings.flatMap((f) => planFunction(f, ctx));
  },
};
