import {
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  type CollectionTag,
  type ScalarTag,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { LvsInputError } from '../core/errors.js';
import type { SourceLocation } from './model.js';

/**
 * Where functions are defined in CloudFormation / SAM templates, for SARIF physical locations
 * (SPEC 5). Pure: the CLI reads the files and passes their text in.
 */

export const CFN_STACK_NAME_TAG = 'aws:cloudformation:stack-name';
export const CFN_LOGICAL_ID_TAG = 'aws:cloudformation:logical-id';

/** Short-form intrinsic -> long form. `!Ref` and `!Condition` keep their bare keys; the rest are `Fn::X`. */
const SHORT_TAGS: Record<string, string> = {
  Ref: 'Ref',
  Condition: 'Condition',
  GetAtt: 'Fn::GetAtt',
  Sub: 'Fn::Sub',
  Join: 'Fn::Join',
  If: 'Fn::If',
  Select: 'Fn::Select',
  Split: 'Fn::Split',
  FindInMap: 'Fn::FindInMap',
  GetAZs: 'Fn::GetAZs',
  Base64: 'Fn::Base64',
  Cidr: 'Fn::Cidr',
  ImportValue: 'Fn::ImportValue',
  Equals: 'Fn::Equals',
  And: 'Fn::And',
  Or: 'Fn::Or',
  Not: 'Fn::Not',
};

function scalarValue(name: string, key: string, value: string): unknown {
  if (name === 'GetAtt') {
    // !GetAtt Resource.Attribute.With.Dots -> ["Resource", "Attribute.With.Dots"]
    const dot = value.indexOf('.');
    return { [key]: dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [key]: value };
}

/** CloudFormation short tags in scalar, sequence and mapping forms, resolved to their long JSON forms. */
export const CFN_TAGS: Array<ScalarTag | CollectionTag> = Object.entries(SHORT_TAGS).flatMap(
  ([name, key]) => {
    const tag = `!${name}`;
    const scalar: ScalarTag = { tag, resolve: (value: string) => scalarValue(name, key, value) };
    const collection = (kind: 'seq' | 'map'): CollectionTag => ({
      tag,
      collection: kind,
      resolve: (node: YAMLMap.Parsed | YAMLSeq.Parsed) => ({ [key]: node.toJSON() as unknown }),
    });
    return [scalar, collection('seq'), collection('map')];
  },
);

/** Parses a CloudFormation template (YAML or JSON) to plain data, short tags expanded. */
export function parseTemplate(templateText: string, path: string): unknown {
  return parseOrThrow(templateText, path).document.toJS({ maxAliasCount: 1000 }) as unknown;
}

function parseOrThrow(templateText: string, path: string) {
  const lineCounter = new LineCounter();
  const document = parseDocument(templateText, {
    customTags: CFN_TAGS,
    lineCounter,
    prettyErrors: false,
    uniqueKeys: false,
  });
  const first = document.errors[0];
  if (first !== undefined) {
    const at = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    throw new LvsInputError(
      `cannot parse template (line ${at.line}: ${first.message.split('\n')[0] ?? first.code})`,
      {
        file: path,
      },
    );
  }
  return { document, lineCounter };
}

/**
 * Logical ID -> 1-based line of its key under `Resources`. A template without a `Resources`
 * mapping yields `{}`; a template that is not valid YAML/JSON is an input error naming the file.
 */
export function templateLocations(templateText: string, path: string): Record<string, number> {
  const { document, lineCounter } = parseOrThrow(templateText, path);
  const out: Record<string, number> = {};
  const root = document.contents;
  if (!isMap(root)) return out;
  const resources = root.get('Resources', true);
  if (!isMap(resources)) return out;
  for (const pair of resources.items) {
    const key = pair.key;
    if (!isScalar(key) || key.range === undefined || key.range === null) continue;
    out[String(key.value)] = lineCounter.linePos(key.range[0]).line;
  }
  return out;
}

export interface TemplateSource {
  /** How SARIF names the file: a path relative to the repository root, forward slashes. */
  uri: string;
  text: string;
}

/**
 * functionArn -> location of its definition, for each function whose
 * `aws:cloudformation:stack-name` tag names a stack the config maps to a template. The line is
 * that of its `aws:cloudformation:logical-id` under `Resources`; without it, the file alone.
 * Each template is parsed once.
 */
export function locateFunctions(
  functions: ReadonlyArray<{ functionArn: string; tags: Readonly<Record<string, string>> }>,
  templatesByStack: Readonly<Record<string, TemplateSource>>,
): Record<string, SourceLocation> {
  const parsed = new Map<string, Record<string, number>>();
  const out: Record<string, SourceLocation> = {};
  for (const fn of functions) {
    const stack = fn.tags[CFN_STACK_NAME_TAG];
    if (stack === undefined || !Object.hasOwn(templatesByStack, stack)) continue;
    const template = templatesByStack[stack];
    if (template === undefined) continue;
    let lines = parsed.get(stack);
    if (lines === undefined) {
      lines = templateLocations(template.text, template.uri);
      parsed.set(stack, lines);
    }
    const logicalId = fn.tags[CFN_LOGICAL_ID_TAG];
    const line = logicalId !== undefined && Object.hasOwn(lines, logicalId) ? lines[logicalId] : undefined;
    out[fn.functionArn] = line === undefined ? { uri: template.uri } : { uri: template.uri, startLine: line };
  }
  return out;
}
