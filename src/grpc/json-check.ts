// json-check.ts: checks a JSON value against a protobuf message type before protobufjs encodes it,
// which would coerce a misfit silently ("5" for a bool, an unknown field dropped). Follows the
// proto3 JSON mapping: a field by its .proto name or its lowerCamelCase JSON name, 64-bit integers
// as numbers or decimal strings, bytes as base64, enums by name or number. Returns the value with
// JSON names turned into .proto names, ready for Type.fromObject.
import protobuf from 'protobufjs';
import { UsageError } from '../common/errors.js';

const INT32 = new Set(['int32', 'sint32', 'sfixed32']);
const UINT32 = new Set(['uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64']);
const UINT64 = new Set(['uint64', 'fixed64']);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

const camel = (name: string) => name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const show = (value: unknown) => (typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value));

export function checkMessage(type: protobuf.Type, value: unknown, where: string): Record<string, unknown> {
  return message(type, value, { where, path: '' });
}

interface At {
  where: string;
  /** The field's path from the top message, e.g. "items[2].name"; "" for the message itself. */
  path: string;
}

function fail(at: At, type: protobuf.Type | undefined, text: string): never {
  const field = at.path === '' ? `the message${type ? ` (${type.fullName.slice(1)})` : ''}` : `field "${at.path}"`;
  throw new UsageError(`${at.where}: ${field}: ${text}`);
}

function message(type: protobuf.Type, value: unknown, at: At): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(at, type, `expected an object for ${type.fullName.slice(1)}, got ${show(value)}`);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key] ?? type.fieldsArray.find((f) => camel(f.name) === key);
    const path = at.path === '' ? key : `${at.path}.${key}`;
    if (!field) {
      const names = type.fieldsArray.map((f) => f.name);
      throw new UsageError(`${at.where}: field "${path}": no such field in ${type.fullName.slice(1)}; it has: ${names.join(', ') || 'no fields'}`);
    }
    if (item === null) continue; // proto3 JSON: null is the field's default
    out[field.name] = fieldValue(field, item, { where: at.where, path });
  }
  for (const oneof of type.oneofsArray) {
    const set = oneof.fieldsArray.filter((f) => out[f.name] !== undefined).map((f) => f.name);
    if (set.length > 1) fail(at, type, `${set.join(' and ')} are in one oneof (${oneof.name}): set one of them`);
  }
  return out;
}

function fieldValue(field: protobuf.Field, value: unknown, at: At): unknown {
  if (field instanceof protobuf.MapField) {
    if (typeof value !== 'object' || Array.isArray(value)) fail(at, undefined, `expected an object (a map), got ${show(value)}`);
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value as object)) out[key] = single(field, item, { where: at.where, path: `${at.path}["${key}"]` });
    return out;
  }
  if (field.repeated) {
    if (!Array.isArray(value)) fail(at, undefined, `expected an array (a repeated ${field.type}), got ${show(value)}`);
    return value.map((item, i) => single(field, item, { where: at.where, path: `${at.path}[${i}]` }));
  }
  return single(field, value, at);
}

function single(field: protobuf.Field, value: unknown, at: At): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Type) return message(resolved, value, at);
  if (resolved instanceof protobuf.Enum) {
    if (typeof value === 'string' && Object.hasOwn(resolved.values, value)) return value;
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    fail(at, undefined, `expected one of ${Object.keys(resolved.values).join(', ')} (enum ${resolved.fullName.slice(1)}), got ${show(value)}`);
  }
  const type = field.type;
  if (type === 'string') {
    if (typeof value !== 'string') fail(at, undefined, `expected a string, got ${show(value)}`);
    return value;
  }
  if (type === 'bool') {
    if (typeof value !== 'boolean') fail(at, undefined, `expected true or false, got ${show(value)}`);
    return value;
  }
  if (type === 'bytes') {
    if (typeof value !== 'string' || !BASE64.test(value)) fail(at, undefined, `expected base64 text (bytes), got ${show(value)}`);
    return value;
  }
  if (type === 'double' || type === 'float') {
    if (typeof value === 'number' || value === 'NaN' || value === 'Infinity' || value === '-Infinity') return typeof value === 'string' ? Number(value) : value;
    fail(at, undefined, `expected a number (${type}), got ${show(value)}`);
  }
  return integer(type, value, at);
}

function integer(type: string, value: unknown, at: At): unknown {
  const text = typeof value === 'number' ? (Number.isInteger(value) ? String(value) : '') : typeof value === 'string' ? value : '';
  const unsigned = UINT32.has(type) || UINT64.has(type);
  if (!/^-?\d+$/.test(text)) fail(at, undefined, `expected an integer (${type}), got ${show(value)}`);
  const n = BigInt(text);
  const bits = INT32.has(type) || UINT32.has(type) ? 32n : INT64.has(type) || UINT64.has(type) ? 64n : 0n;
  if (bits === 0n) fail(at, undefined, `has a type this tool cannot encode: ${type}`);
  const low = unsigned ? 0n : -(1n << (bits - 1n));
  const high = unsigned ? (1n << bits) - 1n : (1n << (bits - 1n)) - 1n;
  if (n < low || n > high) fail(at, undefined, `${text} is out of range for ${type} (${low} to ${high})`);
  return bits === 32n ? Number(n) : text;
}
