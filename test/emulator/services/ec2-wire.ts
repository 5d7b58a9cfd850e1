import { randomUUID } from 'node:crypto';
import { AwsError, type EmulatorRequest, type EmulatorResponse } from '../types.js';
import {
  escapeXml,
  parseForm,
  unflattenQuery,
  xmlDocument,
  xmlResponse,
  type QueryTree,
  type XmlValue,
} from '../wire.js';

/**
 * The EC2 query protocol: `Action=…&Version=2016-11-15` form bodies whose lists are flattened
 * (`Filter.1.Value.1`, `RouteTableId.1`) and answers in lowerCamel XML whose lists hold `<item>`s.
 */

export const EC2_XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

export const missingParameter = (name: string) =>
  new AwsError('MissingParameter', 400, `The request must contain the parameter ${name}`);

export const invalidValue = (name: string, value: string, why: string) =>
  new AwsError('InvalidParameterValue', 400, `Value (${value}) for parameter ${name} is invalid. ${why}`);

type Tree = { [key: string]: QueryTree };

/** The parameters of one request, read as the EC2 API reads them: absent, or of the expected type. */
export class Ec2Params {
  constructor(private readonly tree: Tree) {}

  static of(req: EmulatorRequest): Ec2Params {
    const flat = new Map(req.query.entries());
    for (const [key, value] of parseForm(req.body)) flat.set(key, value);
    return new Ec2Params(unflattenQuery(flat));
  }

  string(name: string): string | undefined {
    const value = this.tree[name];
    return typeof value === 'string' ? value : undefined;
  }

  required(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw missingParameter(name);
    return value;
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'false') return value === 'true';
    throw invalidValue(name, value, 'Expected a boolean.');
  }

  integer(name: string): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (!/^-?\d+$/.test(value)) throw invalidValue(name, value, 'Expected an integer.');
    return Number(value);
  }

  /** A flattened list of strings (`RouteTableId.1=…`); an empty list may come as `Name=`. */
  strings(name: string): string[] {
    const value = this.tree[name];
    if (value === undefined || value === '') return [];
    if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
    throw invalidValue(name, typeof value === 'string' ? value : '…', 'Expected a list.');
  }

  /** A flattened list of structures (`IpPermissions.1.IpProtocol=…`). */
  structs(name: string): Ec2Params[] {
    const value = this.tree[name];
    if (value === undefined || value === '') return [];
    if (!Array.isArray(value)) throw invalidValue(name, '…', 'Expected a list.');
    return value.map((v) => new Ec2Params(typeof v === 'object' && !Array.isArray(v) ? v : {}));
  }
}

/** `<{Action}Response xmlns=…><requestId>…</requestId>…members…</{Action}Response>`. */
export function ec2Response(action: string, members: { readonly [key: string]: XmlValue }): EmulatorResponse {
  return xmlResponse(
    200,
    xmlDocument(`${action}Response`, EC2_XMLNS, { requestId: randomUUID(), ...members }, 'item'),
  );
}

/** EC2's own error document: `<Response><Errors><Error>…</Error></Errors><RequestID>…`, not ErrorResponse. */
export function ec2ErrorResponse(error: AwsError): EmulatorResponse {
  return xmlResponse(
    error.status,
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
      `<Message>${escapeXml(error.message)}</Message></Error></Errors>` +
      `<RequestID>${randomUUID()}</RequestID></Response>`,
  );
}

/** IDs as the snapshot schema accepts them (`vpc-0a1b…`); anything else is malformed to EC2. */
export function checkIds(ids: readonly string[], prefix: string, malformedCode: string): void {
  for (const id of ids) {
    if (!new RegExp(`^${prefix}-[0-9a-z]+$`).test(id)) {
      throw new AwsError(malformedCode, 400, `Invalid id: "${id}" (expecting "${prefix}-...")`);
    }
  }
}
