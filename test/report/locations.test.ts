import { describe, expect, it } from 'vitest';
import { LvsInputError } from '../../src/core/errors.js';
import { locateFunctions, parseTemplate, templateLocations } from '../../src/report/locations.js';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Env: { Type: String }
Conditions:
  IsProd: !Equals [!Ref Env, prod]
Resources:
  ResultsBucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketName: !Sub '\${AWS::StackName}-scores-\${AWS::AccountId}'
  ScorerFunction:
    Type: AWS::Lambda::Function
    Condition: IsProd
    Properties:
      Role: !GetAtt ScorerRole.Arn
      KmsKeyArn: !If [IsProd, !GetAtt Key.Arn, !Ref AWS::NoValue]
      VpcConfig:
        SubnetIds: !Split [',', !ImportValue shared-subnets]
        SecurityGroupIds:
          - !Select [0, !GetAZs '']
      Environment:
        Variables:
          RESULTS_BUCKET: !Join
            - '-'
            - - !Ref ResultsBucket
              - !FindInMap [Map, !Ref 'AWS::Region', Suffix]
          B64: !Base64 { 'Fn::Sub': 'x' }
          CIDR: !Cidr [10.0.0.0/16, 4, 8]
          COND: !And [!Or [!Condition IsProd, !Not [!Equals [a, b]]], !Equals [1, 1]]
          SUBMAP: !Sub
            - '\${Name}'
            - Name: !Ref Env
  'Quoted.Id':
    Type: AWS::IAM::Role
`;

describe('templateLocations', () => {
  it('maps each logical ID under Resources to the line of its key', () => {
    expect(templateLocations(TEMPLATE, 'template.yaml')).toEqual({
      ResultsBucket: 8,
      ScorerFunction: 12,
      'Quoted.Id': 34,
    });
  });

  it('reads JSON templates too', () => {
    const json = JSON.stringify({ Resources: { A: { Type: 'x' }, B: { Type: 'y' } } }, null, 2);
    expect(templateLocations(json, 'template.json')).toEqual({ A: 3, B: 6 });
  });

  it('returns nothing for a template without Resources', () => {
    expect(templateLocations('Outputs: {}\n', 't.yaml')).toEqual({});
    expect(templateLocations('just a string', 't.yaml')).toEqual({});
  });

  it('throws an input error naming the file for a template that does not parse', () => {
    expect(() => templateLocations('Resources:\n  A: [unclosed\n', 'infra/bad.yaml')).toThrow(LvsInputError);
    try {
      templateLocations('Resources:\n  A: [unclosed\n', 'infra/bad.yaml');
    } catch (e) {
      expect((e as LvsInputError).file).toBe('infra/bad.yaml');
    }
  });
});

describe('parseTemplate (CloudFormation short tags)', () => {
  const t = parseTemplate(TEMPLATE, 'template.yaml') as {
    Conditions: Record<string, unknown>;
    Resources: Record<string, { Properties: Record<string, unknown> }>;
  };
  const fn = t.Resources['ScorerFunction']?.Properties ?? {};
  const env = (fn['Environment'] as { Variables: Record<string, unknown> }).Variables;

  it('expands scalar forms, splitting !GetAtt on the first dot', () => {
    expect(t.Conditions['IsProd']).toEqual({ 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] });
    expect(fn['Role']).toEqual({ 'Fn::GetAtt': ['ScorerRole', 'Arn'] });
    expect(parseTemplate('a: !GetAtt A.B.C', 't')).toEqual({ a: { 'Fn::GetAtt': ['A', 'B.C'] } });
    expect(t.Resources['ResultsBucket']?.Properties['BucketName']).toEqual({
      'Fn::Sub': '${AWS::StackName}-scores-${AWS::AccountId}',
    });
  });

  it('expands sequence forms, nested', () => {
    expect(fn['KmsKeyArn']).toEqual({
      'Fn::If': ['IsProd', { 'Fn::GetAtt': ['Key', 'Arn'] }, { Ref: 'AWS::NoValue' }],
    });
    expect(fn['VpcConfig']).toEqual({
      SubnetIds: { 'Fn::Split': [',', { 'Fn::ImportValue': 'shared-subnets' }] },
      SecurityGroupIds: [{ 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }],
    });
    expect(env['RESULTS_BUCKET']).toEqual({
      'Fn::Join': [
        '-',
        [{ Ref: 'ResultsBucket' }, { 'Fn::FindInMap': ['Map', { Ref: 'AWS::Region' }, 'Suffix'] }],
      ],
    });
    expect(env['CIDR']).toEqual({ 'Fn::Cidr': ['10.0.0.0/16', 4, 8] });
    expect(env['COND']).toEqual({
      'Fn::And': [
        { 'Fn::Or': [{ Condition: 'IsProd' }, { 'Fn::Not': [{ 'Fn::Equals': ['a', 'b'] }] }] },
        { 'Fn::Equals': [1, 1] },
      ],
    });
    expect(env['SUBMAP']).toEqual({ 'Fn::Sub': ['${Name}', { Name: { Ref: 'Env' } }] });
  });

  it('expands mapping forms', () => {
    expect(env['B64']).toEqual({ 'Fn::Base64': { 'Fn::Sub': 'x' } });
    expect(parseTemplate('a: !GetAtt {x: y}', 't')).toEqual({ a: { 'Fn::GetAtt': { x: 'y' } } });
  });
});

describe('locateFunctions', () => {
  const arn = (name: string) => `arn:aws:lambda:eu-west-1:111122223333:function:${name}`;
  const tags = (stack: string, logicalId?: string) => ({
    'aws:cloudformation:stack-name': stack,
    ...(logicalId ? { 'aws:cloudformation:logical-id': logicalId } : {}),
  });

  it('locates functions by their stack and logical-id tags', () => {
    const located = locateFunctions(
      [
        { functionArn: arn('scorer'), tags: tags('golden', 'ScorerFunction') },
        { functionArn: arn('unknown-id'), tags: tags('golden', 'NotInTemplate') },
        { functionArn: arn('no-id'), tags: tags('golden') },
        { functionArn: arn('other-stack'), tags: tags('unmapped', 'ScorerFunction') },
        { functionArn: arn('untagged'), tags: {} },
      ],
      { golden: { uri: 'infra/template.yaml', text: TEMPLATE } },
    );
    expect(located).toEqual({
      [arn('scorer')]: { uri: 'infra/template.yaml', startLine: 12 },
      [arn('unknown-id')]: { uri: 'infra/template.yaml' },
      [arn('no-id')]: { uri: 'infra/template.yaml' },
    });
  });

  it('does not treat inherited object keys as stacks or logical IDs', () => {
    expect(locateFunctions([{ functionArn: arn('x'), tags: tags('toString', 'constructor') }], {})).toEqual(
      {},
    );
  });
});
