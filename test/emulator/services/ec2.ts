import {
  AwsError,
  notImplemented,
  type EmulatorResponse,
  type EmulatorState,
  type ServiceModule,
} from '../types.js';
import { parseForm } from '../wire.js';
import { DESCRIBES } from './ec2-describe.js';
import { authorizeSecurityGroupEgress, revokeSecurityGroupEgress } from './ec2-egress.js';
import { createVpcEndpoint, deleteRoute, modifyVpcEndpoint } from './ec2-endpoints.js';
import { describeRegions } from './ec2-regions.js';
import { ec2ErrorResponse, Ec2Params } from './ec2-wire.js';

/**
 * Amazon EC2 over its query protocol, for the network reads lvs collects (VPCs, subnets, route
 * tables, endpoints, security groups, prefix lists, regions) and the writes its fixes send.
 */

type Handler = (params: Ec2Params, state: EmulatorState, region: string) => EmulatorResponse;

const OPERATIONS: Readonly<Record<string, Handler>> = {
  ...DESCRIBES,
  DescribeRegions: (params, state) => describeRegions(params, state),
  CreateVpcEndpoint: createVpcEndpoint,
  ModifyVpcEndpoint: modifyVpcEndpoint,
  DeleteRoute: deleteRoute,
  AuthorizeSecurityGroupEgress: authorizeSecurityGroupEgress,
  RevokeSecurityGroupEgress: revokeSecurityGroupEgress,
};

export const ec2Service: ServiceModule = {
  operationOf: (req) => parseForm(req.body).get('Action') ?? req.query.get('Action') ?? undefined,

  handle: (operation, req, state) => {
    const handler = Object.hasOwn(OPERATIONS, operation) ? OPERATIONS[operation] : undefined;
    if (handler === undefined) throw notImplemented('ec2', operation);
    const params = Ec2Params.of(req);
    if (params.boolean('DryRun') === true) {
      // The caller is allowed everything here, so a dry run is always the "would have succeeded" error.
      throw new AwsError('DryRunOperation', 412, 'Request would have succeeded, but DryRun flag is set.');
    }
    return handler(params, state, req.region);
  },

  errorResponse: (error) => ec2ErrorResponse(error),
};
