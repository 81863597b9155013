import { isRecord } from "./records.ts";

/**
 * A small declarative config parser shared by the plugins: one field table gives the typed
 * result, the defaults, range checks, unknown-key rejection and the JSON Schema the manifest
 * must declare (a test in each plugin compares the two, so they cannot drift).
 */

type FieldSpec =
  | { type: "boolean"; default: boolean; description: string }
  | { type: "integer"; default: number; min: number; max: number; description: string }
  | {
      type: "string";
      default: string;
      enum?: readonly string[];
      description: string;
      maxLength?: number;
    }
  | {
      type: "optionalString";
      /** When given, an absent value stays undefined and a present one must be listed. */
      enum?: readonly string[];
      description: string;
      maxLength?: number;
    }
  | {
      type: "stringList";
      default: readonly string[];
      enum?: readonly string[];
      minItems?: number;
      maxItems?: number;
      description: string;
    }
  | {
      /** Named entries (e.g. per model), each an object of optional bounded integers. */
      type: "integerRecords";
      fields: Readonly<Record<string, { min: number; max: number; description: string }>>;
      maxEntries: number;
      description: string;
    }
  | {
      /**
       * An optional group of settings that only mean something together (e.g. a connection),
       * parsed with the same rules; absent, the whole group is undefined.
       */
      type: "section";
      fields: Readonly<Record<string, FlatFieldSpec>>;
      description: string;
    };

/** A field that is not itself a section: sections nest one level only. */
type FlatFieldSpec = Exclude<FieldSpec, { type: "section" }>;

export type ConfigSpec = Record<string, FieldSpec>;

type ValueOf<F extends FieldSpec> = F extends { type: "boolean" }
  ? boolean
  : F extends { type: "integer" }
    ? number
    : F extends { type: "string"; enum: readonly (infer E)[] }
      ? E
      : F extends { type: "string" }
        ? string
        : F extends { type: "optionalString"; enum: readonly (infer E)[] }
          ? E | undefined
          : F extends { type: "optionalString" }
            ? string | undefined
            : F extends { type: "stringList"; enum: readonly (infer E)[] }
              ? E[]
              : F extends { type: "integerRecords"; fields: infer R }
                ? Record<string, { [K in keyof R]?: number }>
                : F extends { type: "section"; fields: infer S extends ConfigSpec }
                  ? ParsedConfig<S> | undefined
                  : string[];

export type ParsedConfig<S extends ConfigSpec> = { -readonly [K in keyof S]: ValueOf<S[K]> };

/** A config problem, always naming the plugin and the offending key. */
export class ConfigError extends Error {
  readonly key: string;
  constructor(pluginId: string, key: string, problem: string) {
    super(`${pluginId}: config key "${key}" ${problem}`);
    this.name = "ConfigError";
    this.key = key;
  }
}

export function parseConfig<S extends ConfigSpec>(
  pluginId: string,
  spec: S,
  raw: unknown,
): ParsedConfig<S> {
  if (raw !== undefined && raw !== null && !isRecord(raw)) {
    throw new ConfigError(pluginId, "(root)", `must be an object, got ${describe(raw)}`);
  }
  return parseFields(pluginId, "", spec, raw ?? {}) as ParsedConfig<S>;
}

/** The fields of the root or of a section; `prefix` names a section's keys (`postgres.url`). */
function parseFields(
  pluginId: string,
  prefix: string,
  spec: ConfigSpec,
  input: Record<string, unknown>,
): Record<string, unknown> {
  for (const key of Object.keys(input)) {
    if (!Object.hasOwn(spec, key)) {
      throw new ConfigError(
        pluginId,
        `${prefix}${key}`,
        `is not a known setting (known: ${Object.keys(spec).join(", ")})`,
      );
    }
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    out[key] = parseField(pluginId, `${prefix}${key}`, field, input[key]);
  }
  return out;
}

function parseField(pluginId: string, key: string, field: FieldSpec, value: unknown): unknown {
  const fail = (problem: string) => new ConfigError(pluginId, key, problem);
  switch (field.type) {
    case "boolean":
      if (value === undefined) return field.default;
      if (typeof value !== "boolean") throw fail(`must be true or false, got ${describe(value)}`);
      return value;
    case "integer":
      if (value === undefined) return field.default;
      if (typeof value !== "number" || !Number.isInteger(value))
        throw fail(`must be an integer, got ${describe(value)}`);
      if (value < field.min || value > field.max)
        throw fail(`must be between ${field.min} and ${field.max}, got ${value}`);
      return value;
    case "string":
    case "optionalString": {
      if (value === undefined) return field.type === "string" ? field.default : undefined;
      if (typeof value !== "string") throw fail(`must be a string, got ${describe(value)}`);
      if (field.maxLength !== undefined && value.length > field.maxLength) {
        throw fail(`must be at most ${field.maxLength} characters`);
      }
      if (field.enum && !field.enum.includes(value)) {
        throw fail(
          `must be one of ${field.enum.map((v) => JSON.stringify(v)).join(", ")}, got ${JSON.stringify(value)}`,
        );
      }
      return value;
    }
    case "stringList": {
      if (value === undefined) return [...field.default];
      if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
        throw fail(`must be a list of strings, got ${describe(value)}`);
      }
      const list = value as string[];
      if (field.minItems !== undefined && list.length < field.minItems)
        throw fail(`needs at least ${field.minItems} item(s)`);
      if (field.maxItems !== undefined && list.length > field.maxItems)
        throw fail(`takes at most ${field.maxItems} item(s)`);
      const bad = field.enum ? list.find((item) => !field.enum?.includes(item)) : undefined;
      if (bad !== undefined) {
        throw fail(
          `has ${JSON.stringify(bad)}; allowed: ${field.enum?.map((v) => JSON.stringify(v)).join(", ")}`,
        );
      }
      return [...new Set(list)];
    }
    case "integerRecords":
      return parseIntegerRecords(field, value, fail);
    case "section":
      if (value === undefined) return undefined;
      if (!isRecord(value)) throw fail(`must be an object, got ${describe(value)}`);
      return parseFields(pluginId, `${key}.`, field.fields, value);
  }
}

function parseIntegerRecords(
  field: Extract<FieldSpec, { type: "integerRecords" }>,
  value: unknown,
  fail: (problem: string) => ConfigError,
): Record<string, Record<string, number>> {
  if (value === undefined) return {};
  if (!isRecord(value)) throw fail(`must be an object, got ${describe(value)}`);
  const entries = Object.entries(value);
  if (entries.length > field.maxEntries) throw fail(`takes at most ${field.maxEntries} entries`);
  const out: Record<string, Record<string, number>> = {};
  for (const [name, entry] of entries) {
    const where = `entry ${JSON.stringify(name.slice(0, 60))}`;
    if (!isRecord(entry)) throw fail(`${where} must be an object, got ${describe(entry)}`);
    const parsed: Record<string, number> = {};
    for (const [key, raw] of Object.entries(entry)) {
      const bounds = field.fields[key];
      if (!bounds) {
        throw fail(
          `${where} has unknown setting ${JSON.stringify(key.slice(0, 60))} (known: ${Object.keys(field.fields).join(", ")})`,
        );
      }
      if (typeof raw !== "number" || !Number.isInteger(raw) || raw < bounds.min || raw > bounds.max)
        throw fail(`${where}: ${key} must be an integer between ${bounds.min} and ${bounds.max}`);
      parsed[key] = raw;
    }
    out[name] = parsed;
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string")
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** A whole number within its bounds, as the manifest's JSON Schema states one. */
const integerSchema = (bounds: { min: number; max: number; description: string }) => ({
  type: "integer",
  minimum: bounds.min,
  maximum: bounds.max,
  description: bounds.description,
});

/** The JSON Schema (draft-07 subset the host validates) for a spec: what the manifest declares. */
export function configJsonSchema(spec: ConfigSpec): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(spec)) {
    switch (field.type) {
      case "boolean":
        properties[key] = {
          type: "boolean",
          default: field.default,
          description: field.description,
        };
        break;
      case "integer":
        properties[key] = { ...integerSchema(field), default: field.default };
        break;
      case "string":
      case "optionalString":
        properties[key] = {
          type: "string",
          ...(field.enum ? { enum: [...field.enum] } : {}),
          ...(field.maxLength !== undefined ? { maxLength: field.maxLength } : {}),
          ...(field.type === "string" ? { default: field.default } : {}),
          description: field.description,
        };
        break;
      case "stringList":
        properties[key] = {
          type: "array",
          items: { type: "string", ...(field.enum ? { enum: [...field.enum] } : {}) },
          ...(field.minItems !== undefined ? { minItems: field.minItems } : {}),
          ...(field.maxItems !== undefined ? { maxItems: field.maxItems } : {}),
          default: [...field.default],
          description: field.description,
        };
        break;
      case "integerRecords":
        properties[key] = {
          type: "object",
          maxProperties: field.maxEntries,
          additionalProperties: {
            type: "object",
            additionalProperties: false,
            properties: Object.fromEntries(
              Object.entries(field.fields).map(([name, bounds]) => [name, integerSchema(bounds)]),
            ),
          },
          default: {},
          description: field.description,
        };
        break;
      case "section":
        properties[key] = { ...configJsonSchema(field.fields), description: field.description };
        break;
    }
  }
  return { type: "object", additionalProperties: false, properties };
}
