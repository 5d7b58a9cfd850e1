import { createHash, randomUUID } from 'node:crypto';
import { notImplemented, type EmulatorState, type ServiceModule } from '../types.js';
import { escapeXml, parseForm, xmlDocument, xmlResponse } from '../wire.js';

/** AWS STS over the query protocol; lvs asks it only who is calling (sts:GetCallerIdentity). */

const STS_XMLNS = 'https://sts.amazonaws.com/doc/2011-06-15/';

/** A unique ID in AWS's style: prefix + 17 characters derived from the principal, so it is stable. */
function uniqueId(prefix: string, arn: string): string {
  return prefix + createHash('sha256').update(arn).digest('hex').slice(0, 17).toUpperCase();
}

/**
 * The caller as GetCallerIdentity shows it: an IAM user's UserId is its AIDA… ID, an assumed role's
 * is `AROA…:<session>`, the root user's is the account ID. The account is the one in the caller's
 * ARN, which is the snapshot's unless a test makes the caller someone else's.
 */
export function callerIdentity(state: EmulatorState): { Arn: string; UserId: string; Account: string } {
  const arn = state.callerArn;
  const [, , , , account = '', resource = ''] = arn.split(':');
  const Account = /^\d{12}$/.test(account) ? account : state.snapshot.accountId;
  const assumed = /^assumed-role\/([^/]+)\/(.+)$/.exec(resource);
  let UserId: string;
  if (assumed !== null) UserId = `${uniqueId('AROA', `role/${assumed[1] ?? ''}`)}:${assumed[2] ?? ''}`;
  else if (resource === 'root') UserId = Account;
  else if (resource.startsWith('federated-user/'))
    UserId = `${Account}:${resource.slice('federated-user/'.length)}`;
  else UserId = uniqueId('AIDA', arn);
  return { Arn: arn, UserId, Account };
}

export const stsService: ServiceModule = {
  operationOf: (req) => parseForm(req.body).get('Action') ?? req.query.get('Action') ?? undefined,

  handle: (operation, _req, state) => {
    if (operation !== 'GetCallerIdentity') throw notImplemented('sts', operation);
    return xmlResponse(
      200,
      xmlDocument(
        'GetCallerIdentityResponse',
        STS_XMLNS,
        {
          GetCallerIdentityResult: callerIdentity(state),
          ResponseMetadata: { RequestId: randomUUID() },
        },
        'member',
      ),
    );
  },

  /** The awsQuery error document; Type says whose fault it was (Sender for 4xx, Receiver for 5xx). */
  errorResponse: (error) =>
    xmlResponse(
      error.status,
      `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="${STS_XMLNS}"><Error>` +
        `<Type>${error.status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${escapeXml(error.code)}</Code>` +
        `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
    ),
};
