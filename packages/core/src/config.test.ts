import { describe, expect, it } from "vitest";
import { ConfigError, configJsonSchema, parseConfig } from "./config.ts";

const spec = {
  enabled: { type: "boolean", default: true, description: "on" },
  cap: { type: "integer", default: 10, min: 1, max: 100, description: "cap" },
  scope: {
    type: "string",
    default: "workspace",
    enum: ["workspace", "session"],
    description: "scope",
  },
  label: { type: "optionalString", maxLength: 8, description: "label" },
  providers: { type: "stringList", default: ["a", "b"], minItems: 1, description: "providers" },
} as const;

describe("parseConfig", () => {
  it("fills every default from an absent or empty config", () => {
    for (const raw of [undefined, null, {}]) {
      expect(parseConfig("p", spec, raw)).toEqual({
        enabled: true,
        cap: 10,
        scope: "workspace",
        label: undefined,
        providers: ["a", "b"],
      });
    }
  });

  it("keeps valid values and de-duplicates lists", () => {
    const parsed = parseConfig("p", spec, {
      enabled: false,
      cap: 100,
      scope: "session",
      label: "x",
      providers: ["c", "c"],
    });
    expect(parsed).toEqual({
      enabled: false,
      cap: 100,
      scope: "session",
      label: "x",
      providers: ["c"],
    });
  });

  it.each([
    [{ nope: 1 }, "nope", /not a known setting/],
    [{ enabled: "yes" }, "enabled", /true or false/],
    [{ cap: 0 }, "cap", /between 1 and 100/],
    [{ cap: 1.5 }, "cap", /integer/],
    [{ scope: "global" }, "scope", /one of "workspace", "session"/],
    [{ label: "much too long" }, "label", /at most 8/],
    [{ providers: [] }, "providers", /at least 1/],
    [{ providers: [1] }, "providers", /list of strings/],
  ])("rejects %j naming the key", (raw, key, message) => {
    let error: unknown;
    try {
      parseConfig("my-plugin", spec, raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).key).toBe(key);
    expect((error as Error).message).toMatch(new RegExp(`^my-plugin: config key "${key}"`));
    expect((error as Error).message).toMatch(message);
  });

  it("rejects a non-object root", () => {
    expect(() => parseConfig("p", spec, "x")).toThrow(/must be an object/);
  });
});

describe("configJsonSchema", () => {
  it("declares every key, closed to others, with the same defaults and bounds", () => {
    const schema = configJsonSchema(spec) as {
      additionalProperties: boolean;
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(Object.keys(schema.properties)).toEqual(Object.keys(spec));
    expect(schema.properties.cap).toMatchObject({
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: 10,
    });
    expect(schema.properties.scope).toMatchObject({
      enum: ["workspace", "session"],
      default: "workspace",
    });
    expect(schema.properties.providers).toMatchObject({
      type: "array",
      default: ["a", "b"],
      minItems: 1,
    });
  });
});

describe("an optional string with listed values", () => {
  const choiceSpec = {
    pick: { type: "optionalString", enum: ["fast", "cheap"], description: "pick" },
  } as const;

  it("stays undefined when absent, keeps a listed value, refuses any other naming the list", () => {
    expect(parseConfig("p", choiceSpec, {}).pick).toBeUndefined();
    const picked: "fast" | "cheap" | undefined = parseConfig("p", choiceSpec, {
      pick: "cheap",
    }).pick;
    expect(picked).toBe("cheap");
    expect(() => parseConfig("p", choiceSpec, { pick: "slow" })).toThrow(
      /"pick" must be one of "fast", "cheap", got "slow"/,
    );
  });

  it("declares the list without a default", () => {
    expect(configJsonSchema(choiceSpec)).toEqual({
      type: "object",
      additionalProperties: false,
      properties: { pick: { type: "string", enum: ["fast", "cheap"], description: "pick" } },
    });
  });
});

describe("integerRecords fields", () => {
  const mapSpec = {
    perModel: {
      type: "integerRecords",
      maxEntries: 2,
      fields: {
        minTokens: { min: 1, max: 10_000, description: "min" },
        ttlSeconds: { min: 1, max: 3600, description: "ttl" },
      },
      description: "per model",
    },
  } as const;

  it("defaults to no entries and keeps valid ones as given", () => {
    expect(parseConfig("p", mapSpec, {}).perModel).toEqual({});
    const parsed = parseConfig("p", mapSpec, {
      perModel: { "taas/claude-*": { minTokens: 2048 }, "taas/gpt-5": { ttlSeconds: 600 } },
    });
    expect(parsed.perModel["taas/claude-*"]?.minTokens).toBe(2048);
    expect(parsed.perModel["taas/gpt-5"]).toEqual({ ttlSeconds: 600 });
  });

  it.each([
    [{ perModel: [] }, /"perModel" must be an object, got a list/],
    [{ perModel: { a: 5 } }, /entry "a" must be an object/],
    [
      { perModel: { a: { minTokns: 5 } } },
      /entry "a" has unknown setting "minTokns" \(known: minTokens, ttlSeconds\)/,
    ],
    [
      { perModel: { a: { ttlSeconds: 0 } } },
      /entry "a": ttlSeconds must be an integer between 1 and 3600/,
    ],
    [{ perModel: { a: {}, b: {}, c: {} } }, /takes at most 2 entries/],
  ])("rejects %j with a message naming the key", (raw, message) => {
    expect(() => parseConfig("p", mapSpec, raw)).toThrow(message);
  });

  it("declares an object of closed, bounded integer objects", () => {
    const schema = configJsonSchema(mapSpec) as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema.properties.perModel).toMatchObject({
      type: "object",
      maxProperties: 2,
      default: {},
      additionalProperties: {
        type: "object",
        additionalProperties: false,
        properties: { minTokens: { type: "integer", minimum: 1, maximum: 10_000 } },
      },
    });
  });
});

describe("section fields", () => {
  const sectionSpec = {
    remote: {
      type: "section",
      fields: {
        url: { type: "optionalString", maxLength: 20, description: "url" },
        batch: { type: "integer", default: 5, min: 1, max: 9, description: "batch" },
      },
      description: "remote",
    },
  } as const;

  it("is undefined when absent, and parsed with defaults when given", () => {
    expect(parseConfig("p", sectionSpec, {}).remote).toBeUndefined();
    expect(parseConfig("p", sectionSpec, { remote: {} }).remote).toEqual({
      url: undefined,
      batch: 5,
    });
    expect(parseConfig("p", sectionSpec, { remote: { url: "x", batch: 2 } }).remote).toEqual({
      url: "x",
      batch: 2,
    });
  });

  it.each([
    [{ remote: "x" }, /"remote" must be an object, got "x"/],
    [{ remote: { batch: 10 } }, /"remote\.batch" must be between 1 and 9/],
    [{ remote: { urll: "x" } }, /"remote\.urll" is not a known setting \(known: url, batch\)/],
  ])("rejects %j naming the nested key", (raw, message) => {
    expect(() => parseConfig("p", sectionSpec, raw)).toThrow(message);
  });

  it("declares a closed object with the fields' schemas", () => {
    const schema = configJsonSchema(sectionSpec) as {
      properties: Record<string, Record<string, unknown>>;
    };
    expect(schema.properties.remote).toEqual({
      ...configJsonSchema(sectionSpec.remote.fields),
      description: "remote",
    });
    expect(schema.properties.remote).toMatchObject({ type: "object", additionalProperties: false });
  });
});
