import { describe, expect, it } from "vitest";
import { isPhoneLike, normalizePeerId } from "./peer-id.ts";

describe("normalizePeerId", () => {
  it.each([
    ["+1 (555) 010-2000", "+15550102000"],
    ["15550102000", "+15550102000"],
    ["  +44 20 7946 0958 ", "+442079460958"],
    ["whatsapp:+15550102000", "+15550102000"],
    ["tel:555.010.2000", "+5550102000"],
    ["15550102000@s.whatsapp.net", "+15550102000"],
    ["15550102000@c.us", "+15550102000"],
  ])("normalises the phone-like %j to %j", (raw, expected) => {
    expect(isPhoneLike(raw)).toBe(true);
    expect(normalizePeerId(raw)).toBe(expected);
  });

  it.each([
    ["agent:main:webchat1"],
    ["cli"],
    ["U024BE7LH"],
    ["123456789012345678"], // a Discord snowflake: 18 digits is not a phone number
    ["12345"], // a short code
    ["120363025246125244@g.us"], // a WhatsApp group, never a person's number
    ["telegram:-1001234567890:topic:42"],
  ])("keeps the non-phone id %j as it is (trimmed)", (raw) => {
    expect(isPhoneLike(raw)).toBe(false);
    expect(normalizePeerId(` ${raw} `)).toBe(raw);
  });

  it("maps absent ids to the empty string", () => {
    expect(normalizePeerId(undefined)).toBe("");
    expect(normalizePeerId(null)).toBe("");
  });
});
