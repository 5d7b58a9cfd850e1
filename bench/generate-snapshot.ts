/**
 * Synthetic account snapshots for benchmarks and scale tests: N Lambda functions spread over three
 * regions, with the VPCs, subnets, route tables, endpoints, security groups, roles, managed policies,
 * buckets and KMS keys they use, and a realistic mix of compliant and misconfigured functions.
 * Deterministic for a seed (a small PRNG, never Math.random); schema-valid by construction and
 * checked against `accountSnapshotSchema` in test/bench/generate-snapshot.test.ts.
 *
 *   npx tsx bench/generate-snapshot.ts 10000 > /tmp/snap.json          # seed 1
 *   npx tsx bench/generate-snapshot.ts 10000 --seed 7 --pretty > /tmp/snap.json
 *
 * Proportions (for N functions): 3 regions, ~N/50 VPCs (five subnets in three AZs each: two private
 * with their own route tables, one behind NAT, one on the main table, one public), ~N/10 roles (half
 * shared by many functions, half dedicated to one), ~N/20 buckets, 2 + N/500 customer-managed keys
 * per region. Functions start from the golden pattern and 40% keep it; the others get one to three
 * misconfigurations (no VPC, one AZ, main-table or NAT subnet, open security group, no CMK, tracing
 * off, public invoke policy or URL, plaintext secret…). Shared resources vary too: endpoints
 * missing, pending, blackholed or with the default policy; internet routes; bucket policies pinned,
 * unpinned, missing, not JSON, Allow-only, pinned to the VPC or to another endpoint; roles with
 * wildcards, NotAction, escalation actions, admin or S3 full access, a broad trust policy; and a few
 * failed reads (AccessDenied), also listed in `errors`. Dedicated roles are mostly the golden
 * pattern writing to a well-managed bucket, so a few percent of the functions pass every rule (the
 * first VPC of each region and bucket 0 are always built right).
 */
import { pathToFileURL } from 'node:url';
import type { ApiError, Fetched } from '../src/snapshot/fetched.js';
import {
  REDACTED,
  SNAPSHOT_SCHEMA_VERSION,
  type AccountSnapshot,
  type Bucket,
  type EgressRule,
  type EnvironmentVariable,
  type IamRole,
  type KmsKey,
  type LambdaFunction,
  type ManagedPolicy,
  type PrefixList,
  type PublicAccessBlock,
  type RegionSnapshot,
  type Route,
  type RouteTable,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type VpcEndpoint,
} from '../src/snapshot/schema.js';

export interface GenerateSnapshotOptions {
  /** Number of Lambda functions (≥ 1). */
  functions: number;
  /** PRNG seed; the same seed and size always give the same snapshot. Default 1. */
  seed?: number;
}

// ---------------------------------------------------------------------------------------------- PRNG

/** mulberry32: tiny, fast, good enough for test data; 32-bit state. */
export function createRng(seed: number) {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    chance: (p: number): boolean => next() < p,
    pick<T>(items: readonly T[]): T {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[int(items.length)] as T;
    },
    /** Picks a key with probability proportional to its weight. */
    weighted<K extends string>(weights: Readonly<Record<K, number>>): K {
      const entries = Object.entries(weights) as Array<[K, number]>;
      const total = entries.reduce((sum, [, w]) => sum + w, 0);
      let r = next() * total;
      for (const [key, w] of entries) {
        r -= w;
        if (r < 0) return key;
      }
      return entries[entries.length - 1]![0];
    },
    hex: (length: number): string => {
      let out = '';
      while (out.length < length) out += int(16).toString(16);
      return out;
    },
  };
}
export type Rng = ReturnType<typeof createRng>;

// ---------------------------------------------------------------------------------------------- constants

const ACCOUNT_ID = '210987654321';
const ORG_ID = 'o-a1b2c3d4e5';
const GENERATED_AT = '2026-11-21T09:00:00.000Z';

interface RegionInfo {
  name: string;
  azId: string;
  s3PrefixList: PrefixList;
  dynamodbPrefixList: PrefixList;
}
const REGIONS: readonly RegionInfo[] = [
  {
    name: 'eu-west-1',
    azId: 'euw1',
    s3PrefixList: {
      prefixListId: 'pl-6da54004',
      prefixListName: 'com.amazonaws.eu-west-1.s3',
      cidrs: ['3.5.64.0/21', '3.5.72.0/23', '52.92.0.0/17', '52.218.0.0/17'],
    },
    dynamodbPrefixList: {
      prefixListId: 'pl-6fa54006',
      prefixListName: 'com.amazonaws.eu-west-1.dynamodb',
      cidrs: ['52.94.24.0/23', '52.119.240.0/21'],
    },
  },
  {
    name: 'us-east-1',
    azId: 'use1',
    s3PrefixList: {
      prefixListId: 'pl-63a5400a',
      prefixListName: 'com.amazonaws.us-east-1.s3',
      cidrs: ['3.5.0.0/19', '16.182.0.0/16', '52.216.0.0/15', '54.231.0.0/16'],
    },
    dynamodbPrefixList: {
      prefixListId: 'pl-02cd2c6b',
      prefixListName: 'com.amazonaws.us-east-1.dynamodb',
      cidrs: ['3.218.180.0/22', '52.94.0.0/22', '52.119.224.0/20'],
    },
  },
  {
    name: 'ap-southeast-2',
    azId: 'apse2',
    s3PrefixList: {
      prefixListId: 'pl-6ca54005',
      prefixListName: 'com.amazonaws.ap-southeast-2.s3',
      cidrs: ['3.5.128.0/21', '52.95.128.0/21', '54.231.248.0/22'],
    },
    dynamodbPrefixList: {
      prefixListId: 'pl-62a5400b',
      prefixListName: 'com.amazonaws.ap-southeast-2.dynamodb',
      cidrs: ['52.94.8.0/24', '52.119.160.0/20'],
    },
  },
];

const TEAMS = ['payments', 'risk', 'growth', 'platform', 'data', 'search', 'ledger', 'identity'] as const;
const PURPOSES = ['scores', 'data', 'events', 'exports', 'features', 'reports', 'archive'] as const;
const FUNCTION_VERBS = [
  'scorer',
  'ingest',
  'enricher',
  'exporter',
  'router',
  'compactor',
  'notifier',
  'validator',
] as const;
const RUNTIMES = [
  'nodejs20.x',
  'nodejs22.x',
  'nodejs24.x',
  'python3.12',
  'python3.13',
  'java21',
  'provided.al2023',
] as const;

const doc = (statements: unknown[]): string =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const LAMBDA_TRUST = doc([
  { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
]);
const DEFAULT_ENDPOINT_POLICY = doc([{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }]);

const AWS_MANAGED: Record<string, ManagedPolicy> = Object.fromEntries(
  (
    [
      [
        'AWSLambdaBasicExecutionRole',
        'service-role/',
        'v1',
        doc([
          {
            Effect: 'Allow',
            Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
            Resource: '*',
          },
        ]),
      ],
      [
        'AWSLambdaVPCAccessExecutionRole',
        'service-role/',
        'v3',
        doc([
          {
            Sid: 'AWSLambdaVPCAccessExecutionPermissions',
            Effect: 'Allow',
            Action: [
              'logs:CreateLogGroup',
              'logs:CreateLogStream',
              'logs:PutLogEvents',
              'ec2:CreateNetworkInterface',
              'ec2:DescribeNetworkInterfaces',
              'ec2:DescribeSubnets',
              'ec2:DeleteNetworkInterface',
              'ec2:AssignPrivateIpAddresses',
              'ec2:UnassignPrivateIpAddresses',
            ],
            Resource: '*',
          },
        ]),
      ],
      [
        'AWSXRayDaemonWriteAccess',
        '',
        'v1',
        doc([
          {
            Effect: 'Allow',
            Action: [
              'xray:PutTraceSegments',
              'xray:PutTelemetryRecords',
              'xray:GetSamplingRules',
              'xray:GetSamplingTargets',
              'xray:GetSamplingStatisticSummaries',
            ],
            Resource: ['*'],
          },
        ]),
      ],
      [
        'AmazonS3FullAccess',
        '',
        'v2',
        doc([{ Effect: 'Allow', Action: ['s3:*', 's3-object-lambda:*'], Resource: '*' }]),
      ],
      [
        'AmazonS3ReadOnlyAccess',
        '',
        'v3',
        doc([
          {
            Effect: 'Allow',
            Action: [
              's3:Get*',
              's3:List*',
              's3:Describe*',
              's3-object-lambda:Get*',
              's3-object-lambda:List*',
            ],
            Resource: '*',
          },
        ]),
      ],
      ['AdministratorAccess', '', 'v1', doc([{ Effect: 'Allow', Action: '*', Resource: '*' }])],
    ] as const
  ).map(([name, path, version, document]) => {
    const policyArn = `arn:aws:iam::aws:policy/${path}${name}`;
    return [policyArn, { policyName: name, policyArn, defaultVersionId: version, document }];
  }),
);
const managedArn = (name: string): string => {
  const found = Object.values(AWS_MANAGED).find((p) => p.policyName === name);
  if (!found) throw new Error(`unknown managed policy ${name}`);
  return found.policyArn;
};

// ---------------------------------------------------------------------------------------------- model

interface VpcPlan {
  region: RegionInfo;
  vpc: Vpc;
  subnets: Subnet[];
  routeTables: RouteTable[];
  endpoints: VpcEndpoint[];
  securityGroups: SecurityGroup[];
  /** The S3 gateway endpoint, when the VPC has one. */
  s3EndpointId: string | undefined;
  /** The S3 endpoint exists, is available, routed from both private subnets, and scoped by its policy. */
  endpointSound: boolean;
  /** Subnet IDs by role: two private subnets with endpoint routes, main-table, NAT, public. */
  privateA: string;
  privateB: string;
  mainTableSubnet: string;
  natSubnet: string;
  publicSubnet: string;
  sg: { scoped: string; open: string; httpsAnywhere: string; internal: string };
}

interface KeyPlan {
  region: string;
  arn: string;
  key: Fetched<KmsKey>;
  good: boolean;
}

interface BucketPlan {
  name: string;
  vpc: VpcPlan;
  bucket: Bucket;
  /** Pinned to its VPC's sound endpoint, SSE-KMS with a CMK, Block Public Access all on. */
  sound: boolean;
}

interface RolePlan {
  arn: string;
  role: Fetched<IamRole>;
  home: BucketPlan;
  /** Buckets the role names explicitly (SPEC 2.2 a), and wildcard patterns over bucket names. */
  bucketNames: string[];
  bucketPatterns: RegExp[];
  customerPolicies: ManagedPolicy[];
  golden: boolean;
}

export function generateSnapshot(options: GenerateSnapshotOptions): AccountSnapshot {
  const n = Math.floor(options.functions);
  if (!Number.isFinite(n) || n < 1) throw new RangeError('functions must be a positive integer');
  const rng = createRng(options.seed ?? 1);
  let serial = 0;
  const id = (prefix: string): string =>
    `${prefix}-0${rng.hex(8)}${(serial++).toString(16).padStart(8, '0')}`;
  const uuid = (): string => {
    const h = rng.hex(20) + (serial++).toString(16).padStart(12, '0');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const failed = <T>(error: Omit<ApiError, 'message'> & { message?: string }): Fetched<T> => {
    const full: ApiError = {
      message: error.code === 'AccessDenied' ? 'Access Denied' : error.code,
      ...error,
    };
    return { status: 'error', error: full };
  };
  const ok = <T>(value: T): Fetched<T> => ({ status: 'ok', value });

  const regions = REGIONS.slice(0, Math.min(REGIONS.length, n));
  const vpcCount = Math.max(regions.length, Math.round(n / 50));
  const roleCount = Math.max(1, Math.round(n / 10));
  const bucketCount = Math.max(1, Math.round(n / 20));
  const keysPerRegion = Math.min(20, 2 + Math.floor(n / 500));

  // ------------------------------------------------------------------ VPCs
  const vpcs: VpcPlan[] = [];
  for (let v = 0; v < vpcCount; v++) {
    const region = regions[v % regions.length]!;
    const vpcId = id('vpc');
    const cidr = `10.${v % 256}.0.0/16`;
    const octets = `10.${v % 256}`;
    const ipv6 = rng.chance(0.2) ? [`2600:1f18:${rng.hex(4)}:${rng.hex(2)}00::/56`] : [];
    const az = (i: number) => ({
      availabilityZone: `${region.name}${'abc'[i]}`,
      availabilityZoneId: `${region.azId}-az${i + 1}`,
    });
    const subnet = (third: number, i: number): Subnet => ({
      subnetId: id('subnet'),
      vpcId,
      ...az(i),
      cidrBlock: `${octets}.${third}.0/24`,
    });
    const [privateA, privateB, nat, mainOnly, pub] = [
      subnet(1, 0),
      subnet(2, 1),
      subnet(3, 2),
      subnet(4, 0),
      subnet(10, 1),
    ];

    // The first VPC of each region is built right, so that every snapshot has a golden path.
    const reference = v < regions.length;
    const hasEndpoint = reference || rng.chance(0.85);
    const hasIgw = rng.chance(0.7);
    const igw = id('igw');
    const s3EndpointId = hasEndpoint ? id('vpce') : undefined;
    const local: Route = { destinationCidrBlock: cidr, gatewayId: 'local', state: 'active' };
    const s3Route = (state: Route['state'] = 'active', endpointId = s3EndpointId): Route => ({
      destinationPrefixListId: region.s3PrefixList.prefixListId,
      gatewayId: endpointId,
      state,
    });
    const table = (routes: Route[], subnetIds: string[], main = false): RouteTable => ({
      routeTableId: id('rtb'),
      vpcId,
      associations: [
        ...(main ? [{ main: true }] : []),
        ...subnetIds.map((subnetId) => ({ main: false, subnetId })),
      ],
      routes,
    });
    const mainTable = table(
      [
        local,
        ...(hasIgw && rng.chance(0.3)
          ? [{ destinationCidrBlock: '0.0.0.0/0', gatewayId: igw, state: 'active' as const }]
          : []),
      ],
      [],
      true,
    );
    const blackholeB = hasEndpoint && !reference && rng.chance(0.05);
    const tableA = table([local, ...(hasEndpoint ? [s3Route()] : [])], [privateA.subnetId]);
    const tableB = table(
      [local, ...(hasEndpoint ? [blackholeB ? s3Route('blackhole', id('vpce')) : s3Route()] : [])],
      [privateB.subnetId],
    );
    const natDefault: Route = hasIgw
      ? { destinationCidrBlock: '0.0.0.0/0', natGatewayId: id('nat'), state: 'active' }
      : { destinationCidrBlock: '0.0.0.0/0', transitGatewayId: id('tgw'), state: 'active' };
    const natHasS3 = hasEndpoint && rng.chance(0.5);
    const tableNat = table([local, natDefault, ...(natHasS3 ? [s3Route()] : [])], [nat.subnetId]);
    const tables = [mainTable, tableA, tableB, tableNat];
    if (hasIgw) {
      const publicRoutes: Route[] = [
        local,
        { destinationCidrBlock: '0.0.0.0/0', gatewayId: igw, state: 'active' },
      ];
      if (ipv6.length > 0)
        publicRoutes.push({ destinationIpv6CidrBlock: '::/0', gatewayId: igw, state: 'active' });
      tables.push(table(publicRoutes, [pub.subnetId]));
    }
    // mainOnly (and pub without an internet gateway) has no explicit association: the main table applies.

    const endpoints: VpcEndpoint[] = [];
    let endpointSound = false;
    if (s3EndpointId !== undefined) {
      const policyKind = reference ? 'scoped' : rng.weighted({ scoped: 60, fullAccess: 30, org: 10 });
      const policyDocument =
        policyKind === 'fullAccess'
          ? DEFAULT_ENDPOINT_POLICY
          : doc([
              {
                Sid: 'OwnBucketsOnly',
                Effect: 'Allow',
                Principal: '*',
                Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
                Resource: '*',
                Condition: {
                  StringEquals:
                    policyKind === 'org'
                      ? { 'aws:ResourceOrgID': ORG_ID }
                      : { 'aws:ResourceAccount': ACCOUNT_ID },
                },
              },
            ]);
      const state = !reference && rng.chance(0.03) ? 'pending' : 'available';
      endpointSound = state === 'available' && policyKind !== 'fullAccess' && !blackholeB;
      endpoints.push({
        vpcEndpointId: s3EndpointId,
        vpcEndpointType: 'Gateway',
        serviceName: `com.amazonaws.${region.name}.s3`,
        state,
        vpcId,
        routeTableIds: tables
          .filter((t) => t.routes.some((r) => r.gatewayId === s3EndpointId))
          .map((t) => t.routeTableId),
        policyDocument,
      });
    }
    if (rng.chance(0.15)) {
      const ddb = id('vpce');
      tableA.routes.push({
        destinationPrefixListId: region.dynamodbPrefixList.prefixListId,
        gatewayId: ddb,
        state: 'active',
      });
      endpoints.push({
        vpcEndpointId: ddb,
        vpcEndpointType: 'Gateway',
        serviceName: `com.amazonaws.${region.name}.dynamodb`,
        state: 'available',
        vpcId,
        routeTableIds: [tableA.routeTableId],
        policyDocument: DEFAULT_ENDPOINT_POLICY,
      });
    }
    if (rng.chance(0.2)) {
      endpoints.push({
        vpcEndpointId: id('vpce'),
        vpcEndpointType: 'Interface',
        serviceName: `com.amazonaws.${region.name}.${rng.pick(['sqs', 'secretsmanager', 'kms', 'logs'])}`,
        state: 'available',
        vpcId,
        routeTableIds: [],
        policyDocument: DEFAULT_ENDPOINT_POLICY,
      });
    }

    const name = `vpc${v}`;
    const egress = (rule: Partial<EgressRule> & Pick<EgressRule, 'ipProtocol'>): EgressRule => ({
      fromPort: null,
      toPort: null,
      ipv4Ranges: [],
      ipv6Ranges: [],
      prefixListIds: [],
      referencedGroupIds: [],
      ...rule,
    });
    const scoped: SecurityGroup = {
      groupId: id('sg'),
      groupName: `${name}-lambda-s3-only`,
      vpcId,
      egress: [
        egress({
          ipProtocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          prefixListIds: [region.s3PrefixList.prefixListId],
        }),
      ],
    };
    const open: SecurityGroup = {
      groupId: id('sg'),
      groupName: 'default',
      vpcId,
      egress: [
        egress({ ipProtocol: '-1', ipv4Ranges: ['0.0.0.0/0'], ipv6Ranges: ipv6.length > 0 ? ['::/0'] : [] }),
      ],
    };
    const httpsAnywhere: SecurityGroup = {
      groupId: id('sg'),
      groupName: `${name}-lambda-https-out`,
      vpcId,
      egress: [egress({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, ipv4Ranges: ['0.0.0.0/0'] })],
    };
    const internal: SecurityGroup = {
      groupId: id('sg'),
      groupName: `${name}-lambda-db`,
      vpcId,
      egress: [
        egress({ ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, ipv4Ranges: [cidr] }),
        egress({ ipProtocol: 'tcp', fromPort: 443, toPort: 443, referencedGroupIds: [scoped.groupId] }),
      ],
    };

    vpcs.push({
      region,
      vpc: { vpcId, cidrBlocks: [cidr], ipv6CidrBlocks: ipv6 },
      subnets: [privateA, privateB, nat, mainOnly, pub],
      routeTables: tables,
      endpoints,
      securityGroups: [scoped, open, httpsAnywhere, internal],
      s3EndpointId,
      endpointSound,
      privateA: privateA.subnetId,
      privateB: privateB.subnetId,
      mainTableSubnet: mainOnly.subnetId,
      natSubnet: nat.subnetId,
      publicSubnet: pub.subnetId,
      sg: {
        scoped: scoped.groupId,
        open: open.groupId,
        httpsAnywhere: httpsAnywhere.groupId,
        internal: internal.groupId,
      },
    });
  }
  const vpcsIn = (region: string) => vpcs.filter((v) => v.region.name === region);

  // ------------------------------------------------------------------ KMS keys
  const keys: KeyPlan[] = [];
  for (const region of regions) {
    for (let k = 0; k < keysPerRegion; k++) {
      const keyId = uuid();
      const arn = `arn:aws:kms:${region.name}:${ACCOUNT_ID}:key/${keyId}`;
      // The first key of a region is always a good one, so that compliant functions exist.
      const kind =
        k === 0
          ? 'good'
          : rng.weighted({
              good: 65,
              noRotation: 15,
              disabled: 6,
              pendingDeletion: 6,
              rotationUnreadable: 5,
              unreadable: 3,
            });
      const rotation: Fetched<boolean> =
        kind === 'rotationUnreadable'
          ? failed({
              service: 'kms',
              operation: 'GetKeyRotationStatus',
              region: region.name,
              resource: arn,
              code: 'AccessDeniedException',
            })
          : ok(kind !== 'noRotation');
      const key: Fetched<KmsKey> =
        kind === 'unreadable'
          ? failed({
              service: 'kms',
              operation: 'DescribeKey',
              region: region.name,
              resource: arn,
              code: 'AccessDeniedException',
            })
          : ok({
              keyId,
              keyArn: arn,
              keyManager: 'CUSTOMER',
              keyState:
                kind === 'disabled' ? 'Disabled' : kind === 'pendingDeletion' ? 'PendingDeletion' : 'Enabled',
              rotationEnabled: rotation,
            });
      keys.push({ region: region.name, arn, key, good: kind === 'good' });
    }
    // The AWS-managed aws/lambda key, for functions that name it explicitly.
    const keyId = uuid();
    const arn = `arn:aws:kms:${region.name}:${ACCOUNT_ID}:key/${keyId}`;
    keys.push({
      region: region.name,
      arn,
      good: false,
      key: ok({ keyId, keyArn: arn, keyManager: 'AWS', keyState: 'Enabled', rotationEnabled: ok(true) }),
    });
  }
  const keysIn = (region: string) =>
    keys.filter((k) => k.region === region && k.key.status === 'ok' && k.key.value.keyManager === 'CUSTOMER');
  const goodKey = (region: string) => rng.pick(keys.filter((k) => k.region === region && k.good));

  // ------------------------------------------------------------------ buckets
  const buckets: BucketPlan[] = [];
  for (let b = 0; b < bucketCount; b++) {
    const vpc = vpcs[b % vpcs.length]!;
    const region = vpc.region.name;
    const name = `${rng.pick(TEAMS)}-${rng.pick(PURPOSES)}-${b.toString().padStart(4, '0')}-${ACCOUNT_ID}`;
    const arn = `arn:aws:s3:::${name}`;
    const resources = [arn, `${arn}/*`];
    const otherEndpoint =
      vpcsIn(region).find((v) => v !== vpc && v.s3EndpointId !== undefined)?.s3EndpointId ?? id('vpce');
    const tls = {
      Sid: 'DenyInsecureTransport',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: resources,
      Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    };
    const pin = (endpointId: string, key = 'aws:SourceVpce', breakGlass = rng.chance(0.5)) => ({
      Sid: 'DenyUnlessThroughEndpoint',
      Effect: 'Deny',
      Principal: '*',
      Action: rng.chance(0.8) ? 's3:*' : ['s3:GetObject', 's3:PutObject'],
      Resource: resources,
      Condition: {
        StringNotEquals: { [key]: endpointId },
        ...(breakGlass
          ? { ArnNotLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT_ID}:role/breakglass` } }
          : {}),
      },
    });
    // Buckets 1… take one policy kind each, so that even small snapshots have them all.
    const policyWeights = {
      pinned: 45,
      unpinned: 15,
      missing: 15,
      invalidJson: 4,
      allowOnly: 6,
      sourceVpc: 5,
      otherEndpoint: 5,
      unreadable: 5,
    };
    const policyKinds = Object.keys(policyWeights) as Array<keyof typeof policyWeights>;
    // A well-managed bucket follows the golden pattern on every count (bucket 0 always does).
    const wellManaged = vpc.endpointSound && (b === 0 || (b > policyKinds.length && rng.chance(0.3)));
    const policyKind = wellManaged
      ? 'pinned'
      : 1 <= b && b <= policyKinds.length
        ? policyKinds[b - 1]!
        : rng.weighted(policyWeights);
    let policy: Fetched<string>;
    switch (policyKind) {
      case 'pinned':
        policy = vpc.s3EndpointId === undefined ? ok(doc([tls])) : ok(doc([pin(vpc.s3EndpointId), tls]));
        break;
      case 'unpinned':
        policy = ok(doc([tls]));
        break;
      case 'missing':
        policy = { status: 'absent' };
        break;
      case 'invalidJson':
        policy = ok(
          `{"Version":"2012-10-17","Statement":[{"Sid":"DenyUnlessThroughEndpoint","Effect":"Deny",`,
        );
        break;
      case 'allowOnly':
        policy = ok(
          doc([
            {
              Sid: 'AllowFromEndpoint',
              Effect: 'Allow',
              Principal: '*',
              Action: ['s3:GetObject', 's3:PutObject'],
              Resource: `${arn}/*`,
              Condition: { StringEquals: { 'aws:SourceVpce': vpc.s3EndpointId ?? otherEndpoint } },
            },
          ]),
        );
        break;
      case 'sourceVpc':
        policy = ok(doc([pin(vpc.vpc.vpcId, 'aws:SourceVpc'), tls]));
        break;
      case 'otherEndpoint':
        policy = ok(doc([pin(otherEndpoint), tls]));
        break;
      case 'unreadable':
        policy = failed({
          service: 's3',
          operation: 'GetBucketPolicy',
          region,
          resource: arn,
          code: 'AccessDenied',
        });
        break;
    }
    const encryptionKind = wellManaged
      ? 'cmk'
      : rng.weighted({ cmk: 55, awsManaged: 10, sseS3: 25, none: 5, unreadable: 5 });
    const cmk = rng.pick(keysIn(region)).arn;
    const encryption: Bucket['encryption'] =
      encryptionKind === 'unreadable'
        ? failed({
            service: 's3',
            operation: 'GetBucketEncryption',
            region,
            resource: arn,
            code: 'AccessDenied',
          })
        : encryptionKind === 'none'
          ? { status: 'absent' }
          : ok({
              rules: [
                encryptionKind === 'sseS3'
                  ? { sseAlgorithm: 'AES256', kmsMasterKeyId: null, bucketKeyEnabled: false }
                  : {
                      sseAlgorithm: 'aws:kms',
                      kmsMasterKeyId: encryptionKind === 'cmk' ? cmk : null,
                      bucketKeyEnabled: rng.chance(0.8),
                    },
              ],
            });
    const pabKind = wellManaged ? 'allOn' : rng.weighted({ allOn: 75, partial: 10, allOff: 5, missing: 10 });
    const publicAccessBlock: Fetched<PublicAccessBlock> =
      pabKind === 'missing'
        ? { status: 'absent' }
        : ok({
            blockPublicAcls: pabKind !== 'allOff',
            ignorePublicAcls: pabKind !== 'allOff',
            blockPublicPolicy: pabKind === 'allOn',
            restrictPublicBuckets: pabKind === 'allOn',
          });
    buckets.push({
      name,
      vpc,
      sound: policyKind === 'pinned' && vpc.endpointSound && encryptionKind === 'cmk' && pabKind === 'allOn',
      bucket: { name, ownedByAccount: true, region: ok(region), policy, encryption, publicAccessBlock },
    });
  }
  const foreignBuckets = ['partner-exchange-drop-eu', 'vendor-ml-features-shared'];
  const extraBucketNames = regions.flatMap((r) => [
    `cf-templates-${rng.hex(12)}-${r.name}`,
    `aws-cloudtrail-logs-${ACCOUNT_ID}-${rng.hex(8)}`,
  ]);

  // ------------------------------------------------------------------ roles
  // Roles [0, sharedPool) are shared by many functions; the others are dedicated to one function.
  const sharedPool = Math.max(1, Math.ceil(roleCount / 2));
  const roles: RolePlan[] = [];
  for (let k = 0; k < roleCount; k++) {
    // Dedicated roles (second half, one function each) are mostly the golden pattern: a scoped role
    // writing to a sound bucket. Shared roles take any bucket and any kind.
    const dedicated = k >= sharedPool;
    const soundBuckets = buckets.filter((b) => b.sound);
    const golden = dedicated && soundBuckets.length > 0 && rng.chance(0.7);
    const home = golden ? rng.pick(soundBuckets) : buckets[k % buckets.length]!;
    const team = rng.pick(TEAMS);
    const roleName = `${team}-lambda-${k.toString().padStart(4, '0')}`;
    const arn = `arn:aws:iam::${ACCOUNT_ID}:role/${rng.chance(0.1) ? 'service-role/' : ''}${roleName}`;
    const homeKey = goodKey(home.vpc.region.name).arn;
    const kind = golden
      ? 'scoped'
      : rng.weighted({
          scoped: 50,
          scopedReadWrite: 10,
          customerManaged: 7,
          wildcardS3: 7,
          bucketWildcard: 6,
          s3FullAccess: 5,
          admin: 3,
          escalation: 3,
          notAction: 2,
          badTrust: 2,
          foreignBucket: 3,
          serviceWildcard: 2,
        });
    const bucketNames: string[] = [];
    const bucketPatterns: RegExp[] = [];
    const customerPolicies: ManagedPolicy[] = [];
    const attached: string[] = [
      managedArn(rng.chance(0.9) ? 'AWSLambdaVPCAccessExecutionRole' : 'AWSLambdaBasicExecutionRole'),
    ];
    if (rng.chance(0.6)) attached.push(managedArn('AWSXRayDaemonWriteAccess'));
    const inline: IamRole['inlinePolicies'] = [];
    const write = (bucket: string, prefix = rng.pick(['scores/', 'out/', 'events/', ''])) => {
      bucketNames.push(bucket);
      return {
        Sid: 'WriteResults',
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: `arn:aws:s3:::${bucket}/${prefix}*`,
      };
    };
    const useKey = {
      Sid: 'UseDataKey',
      Effect: 'Allow',
      Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
      Resource: homeKey,
    };
    switch (kind) {
      case 'scoped':
        inline.push({ policyName: 'write-results', document: doc([write(home.name), useKey]) });
        break;
      case 'scopedReadWrite':
        bucketNames.push(home.name);
        inline.push({
          policyName: 'read-write-data',
          document: doc([
            {
              Sid: 'ReadWrite',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject'],
              Resource: `arn:aws:s3:::${home.name}/*`,
            },
            { Sid: 'List', Effect: 'Allow', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${home.name}` },
            useKey,
          ]),
        });
        break;
      case 'customerManaged': {
        const policyArn = `arn:aws:iam::${ACCOUNT_ID}:policy/${roleName}-data-access`;
        customerPolicies.push({
          policyName: `${roleName}-data-access`,
          policyArn,
          defaultVersionId: `v${1 + rng.int(4)}`,
          document: doc([write(home.name), useKey]),
        });
        attached.push(policyArn);
        break;
      }
      case 'wildcardS3':
        inline.push({
          policyName: 's3-everything',
          document: doc([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]),
        });
        break;
      case 'bucketWildcard':
        bucketPatterns.push(new RegExp(`^${team}-data-`));
        inline.push({
          policyName: 'data-buckets',
          document: doc([
            {
              Sid: 'DataBuckets',
              Effect: 'Allow',
              Action: ['s3:GetObject', 's3:PutObject'],
              Resource: `arn:aws:s3:::${team}-data-*/*`,
            },
            useKey,
          ]),
        });
        break;
      case 's3FullAccess':
        attached.push(managedArn('AmazonS3FullAccess'));
        break;
      case 'admin':
        attached.push(managedArn('AdministratorAccess'));
        break;
      case 'escalation':
        inline.push({
          policyName: 'deployer',
          document: doc([
            write(home.name),
            {
              Sid: 'Deploy',
              Effect: 'Allow',
              Action: ['iam:PassRole', 'lambda:UpdateFunctionCode', 'lambda:CreateFunction'],
              Resource: '*',
            },
          ]),
        });
        break;
      case 'notAction':
        inline.push({
          policyName: 'everything-but-iam',
          document: doc([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }]),
        });
        break;
      case 'badTrust':
        inline.push({ policyName: 'write-results', document: doc([write(home.name), useKey]) });
        break;
      case 'foreignBucket': {
        const foreign = rng.pick(foreignBuckets);
        inline.push({
          policyName: 'share-with-partner',
          document: doc([write(home.name), write(foreign, 'incoming/'), useKey]),
        });
        break;
      }
      case 'serviceWildcard':
        bucketNames.push(home.name);
        inline.push({
          policyName: 'data-and-keys',
          document: doc([
            {
              Effect: 'Allow',
              Action: 's3:*',
              Resource: [`arn:aws:s3:::${home.name}`, `arn:aws:s3:::${home.name}/*`],
            },
            { Effect: 'Allow', Action: 'kms:*', Resource: '*' },
          ]),
        });
        break;
    }
    const trust =
      kind === 'badTrust'
        ? doc([
            { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
            {
              Effect: 'Allow',
              Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` },
              Action: 'sts:AssumeRole',
            },
          ])
        : LAMBDA_TRUST;
    const role: Fetched<IamRole> = rng.chance(0.015)
      ? failed({ service: 'iam', operation: 'GetRole', resource: arn, code: 'AccessDenied' })
      : ok({
          roleName,
          roleArn: arn,
          assumeRolePolicyDocument: trust,
          inlinePolicies: inline,
          attachedPolicies: attached.map((policyArn) => ({
            policyName: policyArn.split('/').pop()!,
            policyArn,
          })),
        });
    roles.push({ arn, role, home, golden, bucketNames, bucketPatterns, customerPolicies });
  }

  // ------------------------------------------------------------------ functions
  const functionsByRegion = new Map<string, LambdaFunction[]>(regions.map((r) => [r.name, []]));
  const usedRoles = new Set<RolePlan>();
  const usedKeys = new Set<string>();
  const envBuckets = new Set<string>();
  for (let i = 0; i < n; i++) {
    // Every role is used once; the rest of the functions share the first half of the roles, the
    // low indexes most (so the second half are dedicated roles, the first half shared by many).
    const role = i < roles.length ? roles[i]! : roles[Math.floor(sharedPool * rng.next() ** 2)]!;
    usedRoles.add(role);
    const homeRegion = role.home.vpc.region.name;
    const region = role.golden || rng.chance(0.9) ? homeRegion : rng.pick(regions).name;
    const vpc = region === homeRegion ? role.home.vpc : rng.pick(vpcsIn(region));
    const name = `${role.home.name.split('-')[0]}-${rng.pick(FUNCTION_VERBS)}-${i.toString().padStart(5, '0')}`;
    const functionArn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${name}`;

    // Start from the golden pattern, then break up to three things.
    let vpcConfig: LambdaFunction['vpcConfig'] = {
      vpcId: vpc.vpc.vpcId,
      subnetIds: [vpc.privateA, vpc.privateB],
      securityGroupIds: [vpc.sg.scoped],
    };
    let kmsKeyArn: string | null = goodKey(region).arn;
    let tracingMode: LambdaFunction['tracingMode'] = 'Active';
    let resourcePolicy: Fetched<string> = { status: 'absent' };
    let urlConfig: LambdaFunction['urlConfig'] = { status: 'absent' };
    const env: EnvironmentVariable[] = [];
    const variable = (name: string, extra: Partial<EnvironmentVariable> = {}): EnvironmentVariable => ({
      name,
      value: REDACTED,
      isEmpty: false,
      isReference: false,
      credentialPatterns: [],
      bucketName: null,
      ...extra,
    });
    env.push(variable('LOG_LEVEL'));
    if (rng.chance(0.7)) {
      env.push(variable('RESULTS_BUCKET', { bucketName: role.home.name }));
      envBuckets.add(role.home.name);
    }
    if (rng.chance(0.2)) env.push(variable('DB_SECRET_ARN', { isReference: true }));
    if (rng.chance(0.3)) env.push(variable('MODEL_VERSION'));

    if (rng.chance(0.15)) vpcConfig.securityGroupIds.push(vpc.sg.internal);
    if (rng.chance(0.1)) resourcePolicy = ok(invokePolicy(functionArn, region, true));
    if (rng.chance(0.02))
      urlConfig = ok({
        functionUrl: `https://${rng.hex(32)}.lambda-url.${region}.on.aws/`,
        authType: 'AWS_IAM',
      });

    const faults = rng.chance(role.golden ? 0.6 : 0.4) ? 0 : 1 + rng.int(3);
    for (let f = 0; f < faults; f++) {
      const fault = rng.weighted({
        noVpc: 8,
        emptyVpcConfig: 1,
        singleAz: 6,
        mainTableSubnet: 6,
        natSubnet: 5,
        publicSubnet: 3,
        openSg: 6,
        httpsAnywhereSg: 4,
        noKms: 10,
        awsManagedKey: 2,
        weakKey: 4,
        tracingOff: 8,
        tracingUnset: 3,
        publicPolicy: 3,
        publicUrl: 2,
        plaintextSecret: 5,
        credentialInValue: 2,
        emptySecret: 1,
        resourcePolicyUnreadable: 1,
      });
      const subnets = vpcConfig?.subnetIds;
      switch (fault) {
        case 'noVpc':
          vpcConfig = null;
          break;
        case 'emptyVpcConfig':
          vpcConfig = { vpcId: '', subnetIds: [], securityGroupIds: [] };
          break;
        case 'singleAz':
          if (subnets) subnets.splice(1);
          break;
        case 'mainTableSubnet':
          if (subnets && subnets.length > 0) subnets[subnets.length - 1] = vpc.mainTableSubnet;
          break;
        case 'natSubnet':
          if (subnets && subnets.length > 0) subnets[0] = vpc.natSubnet;
          break;
        case 'publicSubnet':
          if (subnets) subnets.push(vpc.publicSubnet);
          break;
        case 'openSg':
          if (vpcConfig) vpcConfig.securityGroupIds = [vpc.sg.open];
          break;
        case 'httpsAnywhereSg':
          if (vpcConfig) vpcConfig.securityGroupIds.push(vpc.sg.httpsAnywhere);
          break;
        case 'noKms':
          kmsKeyArn = null;
          break;
        case 'awsManagedKey':
          kmsKeyArn = keys.find(
            (k) => k.region === region && k.key.status === 'ok' && k.key.value.keyManager === 'AWS',
          )!.arn;
          break;
        case 'weakKey':
          kmsKeyArn = rng.pick(
            keysIn(region).concat(keys.filter((k) => k.region === region && k.key.status === 'error')),
          ).arn;
          break;
        case 'tracingOff':
          tracingMode = 'PassThrough';
          break;
        case 'tracingUnset':
          tracingMode = null;
          break;
        case 'publicPolicy':
          resourcePolicy = ok(invokePolicy(functionArn, region, false));
          break;
        case 'publicUrl':
          urlConfig = ok({
            functionUrl: `https://${rng.hex(32)}.lambda-url.${region}.on.aws/`,
            authType: 'NONE',
          });
          break;
        case 'plaintextSecret':
          env.push(variable(rng.pick(['DB_PASSWORD', 'STRIPE_API_KEY', 'SERVICE_TOKEN', 'CLIENT_SECRET'])));
          break;
        case 'credentialInValue':
          env.push(
            variable(rng.pick(['UPSTREAM_CONFIG', 'LEGACY_SETTINGS']), {
              credentialPatterns: [rng.pick(['aws-access-key-id', 'slack-token', 'jwt'])],
            }),
          );
          break;
        case 'emptySecret':
          env.push(variable('WEBHOOK_SECRET', { isEmpty: true }));
          break;
        case 'resourcePolicyUnreadable':
          resourcePolicy = failed({
            service: 'lambda',
            operation: 'GetPolicy',
            region,
            resource: functionArn,
            code: 'AccessDeniedException',
          });
          break;
      }
    }
    if (kmsKeyArn !== null) usedKeys.add(kmsKeyArn);
    const environment = dedupeByName(env).sort((a, b) => a.name.localeCompare(b.name));
    const tags: Record<string, string> = {
      app: name.split('-')[0]!,
      team: rng.pick(TEAMS),
      env: rng.pick(['prod', 'prod', 'staging']),
    };
    if (rng.chance(0.3)) {
      tags['aws:cloudformation:stack-name'] = `${tags.app}-stack`;
      tags['aws:cloudformation:logical-id'] = 'Function';
    }
    functionsByRegion.get(region)!.push({
      functionName: name,
      functionArn,
      runtime: rng.chance(0.03) ? null : rng.pick(RUNTIMES),
      role: role.arn,
      vpcConfig,
      kmsKeyArn,
      tracingMode,
      environment,
      environmentError: null,
      tags,
      resourcePolicy,
      urlConfig,
    });
  }

  // ------------------------------------------------------------------ assemble
  const regionSnapshots: RegionSnapshot[] = regions.map((region) => {
    const inRegion = vpcsIn(region.name);
    return {
      region: region.name,
      functions: ok(functionsByRegion.get(region.name)!),
      vpcs: ok(inRegion.map((v) => v.vpc)),
      subnets: ok(inRegion.flatMap((v) => v.subnets)),
      routeTables: ok(inRegion.flatMap((v) => v.routeTables)),
      vpcEndpoints: ok(inRegion.flatMap((v) => v.endpoints)),
      securityGroups: ok(inRegion.flatMap((v) => v.securityGroups)),
      prefixLists: ok([region.s3PrefixList, region.dynamodbPrefixList]),
    };
  });

  const rolesUsed = roles.filter((r) => usedRoles.has(r));
  const managedPolicies: AccountSnapshot['iam']['managedPolicies'] = {};
  for (const role of rolesUsed) {
    if (role.role.status !== 'ok') continue;
    for (const { policyArn } of role.role.value.attachedPolicies) {
      if (managedPolicies[policyArn] !== undefined) continue;
      const policy = AWS_MANAGED[policyArn] ?? role.customerPolicies.find((p) => p.policyArn === policyArn);
      if (policy) managedPolicies[policyArn] = ok(policy);
    }
  }

  const ownedNames = buckets.map((b) => b.name);
  const reached = new Set<string>(envBuckets);
  for (const role of rolesUsed) {
    if (role.role.status !== 'ok') continue;
    for (const name of role.bucketNames) reached.add(name);
    for (const pattern of role.bucketPatterns)
      for (const name of ownedNames) if (pattern.test(name)) reached.add(name);
  }
  const bucketRecords: Record<string, Bucket> = {};
  for (const plan of buckets) if (reached.has(plan.name)) bucketRecords[plan.name] = plan.bucket;
  for (const name of foreignBuckets) {
    if (!reached.has(name)) continue;
    bucketRecords[name] = {
      name,
      ownedByAccount: false,
      region: { status: 'absent' },
      policy: { status: 'absent' },
      encryption: { status: 'absent' },
      publicAccessBlock: { status: 'absent' },
    };
  }

  const accountPabKind = rng.weighted({ absent: 60, allOn: 30, partial: 10 });
  const snapshot: AccountSnapshot = {
    schemaVersion: SNAPSHOT_SCHEMA_VERSION,
    generatedAt: GENERATED_AT,
    collector: { name: 'lvs-bench-generator', version: '1' },
    accountId: ACCOUNT_ID,
    partition: 'aws',
    regions: regionSnapshots,
    iam: {
      roles: Object.fromEntries(rolesUsed.map((r) => [r.arn, r.role])),
      managedPolicies,
    },
    s3: {
      bucketNames: ok([...ownedNames, ...extraBucketNames].sort()),
      buckets: bucketRecords,
      accountPublicAccessBlock:
        accountPabKind === 'absent'
          ? { status: 'absent' }
          : ok({
              blockPublicAcls: true,
              ignorePublicAcls: true,
              blockPublicPolicy: accountPabKind === 'allOn',
              restrictPublicBuckets: accountPabKind === 'allOn',
            }),
    },
    kms: {
      keys: Object.fromEntries(keys.filter((k) => usedKeys.has(k.arn)).map((k) => [k.arn, k.key])),
    },
    errors: [],
  };
  // The account-level list holds exactly the failed reads found in place, in document order.
  snapshot.errors = failedReads(snapshot);
  return snapshot;
}

function failedReads(value: unknown, found: ApiError[] = []): ApiError[] {
  if (Array.isArray(value)) for (const item of value) failedReads(item, found);
  else if (value !== null && typeof value === 'object') {
    const record = value as { status?: unknown; error?: ApiError };
    if (record.status === 'error' && record.error !== undefined) found.push(record.error);
    else for (const item of Object.values(value)) failedReads(item, found);
  }
  return found;
}

/** A Lambda resource-based policy: an EventBridge rule (restricted by SourceArn) or anyone. */
function invokePolicy(functionArn: string, region: string, restricted: boolean): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Id: 'default',
    Statement: [
      restricted
        ? {
            Sid: 'AllowEventBridge',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'lambda:InvokeFunction',
            Resource: functionArn,
            Condition: {
              ArnLike: { 'AWS:SourceArn': `arn:aws:events:${region}:${ACCOUNT_ID}:rule/nightly` },
            },
          }
        : {
            Sid: 'AllowAnyone',
            Effect: 'Allow',
            Principal: '*',
            Action: 'lambda:InvokeFunction',
            Resource: functionArn,
          },
    ],
  });
}

function dedupeByName(variables: EnvironmentVariable[]): EnvironmentVariable[] {
  const seen = new Map<string, EnvironmentVariable>();
  for (const v of variables) seen.set(v.name, v);
  return [...seen.values()];
}

// ---------------------------------------------------------------------------------------------- CLI

function main(argv: string[]): void {
  const usage = 'usage: npx tsx bench/generate-snapshot.ts <functions> [--seed N] [--pretty] > snapshot.json';
  let functions: number | undefined;
  let seed = 1;
  let pretty = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--pretty') pretty = true;
    else if (arg === '--seed') seed = Number(argv[++i]);
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${usage}\n`);
      return;
    } else if (functions === undefined) functions = Number(arg);
    else {
      process.stderr.write(`unexpected argument ${arg}\n${usage}\n`);
      process.exitCode = 2;
      return;
    }
  }
  if (functions === undefined || !Number.isInteger(functions) || functions < 1 || !Number.isInteger(seed)) {
    process.stderr.write(`${usage}\n`);
    process.exitCode = 2;
    return;
  }
  const snapshot = generateSnapshot({ functions, seed });
  process.stdout.write(`${JSON.stringify(snapshot, null, pretty ? 2 : undefined)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2));
}
