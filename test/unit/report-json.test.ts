import { readFileSync } from 'node:fs';
import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { describe, expect, it } from 'vitest';
import { toJson } from '../../src/report/json.js';
import { syntheticResult } from '../fixtures/result.js';

type Schema = {
  type?: string;
  const?: unknown;
  enum?: unknown[];
  required?: string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
  $ref?: string;
};

const root = JSON.parse(readFileSync(new URL('../../schema/result.schema.json', import.meta.url), 'utf8')) as Schema & { $defs: Record<string, Schema> };

/** The subset of JSON Schema our schema uses; returns the paths that do not conform. */
function violations(value: unknown, schema: Schema, path = '$'): string[] {
  if (schema.$ref) return violations(value, root.$defs[schema.$ref.replace('#/$defs/', '')]!, path);
  const out: string[] = [];
  if (schema.const !== undefined && value !== schema.const) out.push(`${path}: not ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.includes(value)) out.push(`${path}: not one of ${JSON.stringify(schema.enum)}`);
  const typeOk: Record<string, (v: unknown) => boolean> = {
    object: (v) => typeof v === 'object' && v !== null && !Array.isArray(v),
    array: Array.isArray,
    string: (v) => typeof v === 'string',
    number: (v) => typeof v === 'number' && Number.isFinite(v),
    integer: (v) => Number.isInteger(v),
    boolean: (v) => typeof v === 'boolean',
  };
  if (schema.type && !typeOk[schema.type]!(value)) return [...out, `${path}: not ${schema.type}`];
  if (schema.type === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) out.push(`${path}.${key}: missing`);
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      if (sub) out.push(...violations(v, sub, `${path}.${key}`));
      else if (schema.additionalProperties === false) out.push(`${path}.${key}: not allowed`);
      else if (typeof schema.additionalProperties === 'object') out.push(...violations(v, schema.additionalProperties, `${path}.${key}`));
    }
  }
  if (schema.type === 'array' && schema.items) (value as unknown[]).forEach((v, i) => out.push(...violations(v, schema.items!, `${path}[${i}]`)));
  return out;
}

describe('JSON result', () => {
  it('validates against schema/result.schema.json', () => {
    const json = JSON.parse(JSON.stringify(toJson(syntheticResult()))) as unknown;
    expect(violations(json, root)).toEqual([]);
  });

  it('the schema check catches a wrong document', () => {
    const json = JSON.parse(JSON.stringify(toJson(syntheticResult()))) as Record<string, unknown>;
    json.completed = 'many';
    delete json.errors;
    expect(violations(json, root)).toEqual(['$.errors: missing', '$.completed: not integer']);
  });

  it('carries histograms that decode to the same counts and percentiles', () => {
    const result = syntheticResult();
    const json = toJson(result);
    const decoded = decodeFromCompressedBase64(json.latency.corrected.histogram);
    expect(decoded.totalCount).toBe(10_000);
    expect(decoded.getValueAtPercentile(99)).toBe(result.corrected.getValueAtPercentile(99));
    expect(json.latency.corrected.percentilesNs['50']).toBe(result.corrected.getValueAtPercentile(50));
  });
});
