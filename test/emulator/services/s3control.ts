import { answer } from '../state.js';
import {
  AwsError,
  notImplemented,
  type EmulatorRequest,
  type EmulatorResponse,
  type EmulatorState,
  type ServiceModule,
} from '../types.js';
import { parsePublicAccessBlock, publicAccessBlockXml, s3ErrorResponse, verifyChecksum } from './s3-xml.js';

/**
 * S3 Control's REST-XML API: signed as "s3", every path under /v20180820/, the account in the
 * x-amz-account-id header (AWS puts it in the host name too; emulators are reached at the plain
 * endpoint). The account's Block Public Access is the one resource emulated.
 */

const XMLNS = 'http://awss3control.amazonaws.com/doc/2018-08-20/';
const PUBLIC_ACCESS_BLOCK = '/v20180820/configuration/publicAccessBlock';

const ROUTES: [path: RegExp, operations: Record<string, string>][] = [
  [
    /^\/v20180820\/configuration\/publicAccessBlock$/,
    { GET: 'GetPublicAccessBlock', PUT: 'PutPublicAccessBlock', DELETE: 'DeletePublicAccessBlock' },
  ],
  [/^\/v20180820\/accesspoint\/?$/, { GET: 'ListAccessPoints' }],
  [
    /^\/v20180820\/accesspoint\/[^/]+$/,
    { GET: 'GetAccessPoint', PUT: 'CreateAccessPoint', DELETE: 'DeleteAccessPoint' },
  ],
  [/^\/v20180820\/storagelens\/?$/, { GET: 'ListStorageLensConfigurations' }],
  [/^\/v20180820\/jobs\/?$/, { GET: 'ListJobs', POST: 'CreateJob' }],
  [/^\/v20180820\/mrap\/instances\/?$/, { GET: 'ListMultiRegionAccessPoints' }],
];

function operationOf(req: EmulatorRequest): string | undefined {
  for (const [path, operations] of ROUTES) {
    if (path.test(req.rawPath)) return operations[req.method];
  }
  return undefined;
}

const noPublicAccessBlock = (accountId: string) =>
  new AwsError(
    'NoSuchPublicAccessBlockConfiguration',
    404,
    'The public access block configuration was not found',
    {
      AccountId: accountId,
    },
  );

/** S3 Control acts on the account the header names: any other account's settings are not the caller's. */
function checkAccount(req: EmulatorRequest, state: EmulatorState): string {
  const accountId = req.headers['x-amz-account-id'];
  if (accountId === undefined || accountId === '') {
    throw new AwsError('InvalidRequest', 400, 'Missing required header for this request: x-amz-account-id');
  }
  if (accountId !== state.snapshot.accountId) throw new AwsError('AccessDenied', 403, 'Access Denied');
  return accountId;
}

function handle(operation: string, req: EmulatorRequest, state: EmulatorState): EmulatorResponse {
  if (req.rawPath !== PUBLIC_ACCESS_BLOCK) throw notImplemented('s3control', operation);
  const accountId = checkAccount(req, state);
  const s3 = state.snapshot.s3;
  switch (operation) {
    case 'GetPublicAccessBlock': {
      const pab = answer(s3.accountPublicAccessBlock, () => noPublicAccessBlock(accountId));
      return {
        status: 200,
        headers: { 'content-type': 'application/xml' },
        body: publicAccessBlockXml(pab, XMLNS),
      };
    }
    case 'PutPublicAccessBlock':
      verifyChecksum(req, false);
      s3.accountPublicAccessBlock = { status: 'ok', value: parsePublicAccessBlock(req.body) };
      return { status: 200, headers: {}, body: '' };
    case 'DeletePublicAccessBlock':
      s3.accountPublicAccessBlock = { status: 'absent' };
      return { status: 204, headers: {}, body: '' };
    default:
      throw notImplemented('s3control', operation);
  }
}

export const s3controlService: ServiceModule = {
  operationOf,
  handle,
  errorResponse: (error, req) => s3ErrorResponse(error, req, true),
};
