/** ARNs for the resources lvs names in evidence; EC2 resources are addressed the way IAM and Security Hub do. */
export interface ArnScope {
  partition: string;
  region: string;
  accountId: string;
}

export const ec2Arn = (s: ArnScope, type: string, id: string): string =>
  `arn:${s.partition}:ec2:${s.region}:${s.accountId}:${type}/${id}`;

export const subnetArn = (s: ArnScope, id: string) => ec2Arn(s, 'subnet', id);
export const routeTableArn = (s: ArnScope, id: string) => ec2Arn(s, 'route-table', id);
export const vpcEndpointArn = (s: ArnScope, id: string) => ec2Arn(s, 'vpc-endpoint', id);
export const securityGroupArn = (s: ArnScope, id: string) => ec2Arn(s, 'security-group', id);
export const vpcArn = (s: ArnScope, id: string) => ec2Arn(s, 'vpc', id);
export const prefixListArn = (s: ArnScope, id: string) => ec2Arn(s, 'prefix-list', id);
export const bucketArn = (partition: string, name: string) => `arn:${partition}:s3:::${name}`;

/** The S3 service name a gateway endpoint must have in `region`. */
export const s3ServiceName = (region: string) => `com.amazonaws.${region}.s3`;
