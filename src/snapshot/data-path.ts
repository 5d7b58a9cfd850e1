import type { FunctionDataPath } from '../report/model.js';
import type { AuditIndex, FunctionEntry, RegionIndex } from './derive.js';

/**
 * The data path of every function, in index order, as the terminal draws it (SPEC 5):
 * function -> VPC -> subnet (AZ) -> effective route table (SPEC 2.1) -> S3 gateway endpoint -> buckets
 * (SPEC 2.2), plus security groups, role, KMS key and tracing. Pure: reads only the derived index.
 * What cannot be resolved (a failed read, a resource missing from the snapshot) is `null`; the
 * rules report why, and the terminal marks that layer from their results.
 */
export function buildDataPaths(index: AuditIndex): FunctionDataPath[] {
  return index.functions.map((entry) => dataPathOf(entry, index));
}

export function dataPathOf(entry: FunctionEntry, index: AuditIndex): FunctionDataPath {
  const { fn, region } = entry;
  const vpc = fn.vpcConfig;
  return {
    functionName: fn.functionName,
    functionArn: fn.functionArn,
    accountId: index.accountId,
    region: region.region,
    vpcId: vpc !== null && vpc.vpcId !== '' ? vpc.vpcId : null,
    subnets: (vpc?.subnetIds ?? []).map((subnetId) => subnetPath(region, subnetId)),
    securityGroupIds: [...(vpc?.securityGroupIds ?? [])],
    buckets: index.bucketsReached(entry).buckets.map((b) => b.name),
    roleArn: fn.role,
    kmsKeyArn: fn.kmsKeyArn,
    tracingMode: fn.tracingMode,
  };
}

function subnetPath(region: RegionIndex, subnetId: string): FunctionDataPath['subnets'][number] {
  const subnet = region.subnet(subnetId);
  const { table: effective, target } = region.s3Path(subnetId);
  let s3EndpointId: string | null = null;
  if (effective.ok) {
    if (target.ok && target.value.route !== undefined) {
      const routed =
        target.value.endpoint?.vpcEndpointId ??
        target.value.route.gatewayId ??
        target.value.route.vpcEndpointId;
      // Only an endpoint is an endpoint: a prefix-list route to anything else leaves this layer empty.
      if (routed !== undefined && routed.startsWith('vpce-')) s3EndpointId = routed;
    }
  }
  return {
    subnetId,
    availabilityZone: subnet.ok ? subnet.value.availabilityZone : null,
    routeTableId: effective.ok ? effective.value.table.routeTableId : null,
    routeTableAssociation: effective.ok ? effective.value.association : null,
    s3EndpointId,
  };
}
