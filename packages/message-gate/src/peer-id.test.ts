import { describe, expect, it } from "vitest";
import { isPhoneLike, normalizePeerId, peerKey, unmatchableReason } from "./peer-id.ts";

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

  it.each([
    ["zero-width spaces", "+1\u200b555\u200b010\u200b2000", "+15550102000"],
    ["bidi marks around a number", "\u200e+1 555 010 2000\u200f", "+15550102000"],
    ["a bidi embedding", "\u202a+15550102000\u202c", "+15550102000"],
    ["bidi isolates", "\u2066+15550102000\u2069", "+15550102000"],
    ["a byte-order mark", "\ufeff15550102000", "+15550102000"],
    ["Arabic-Indic digits", "+١٥٥٥٠١٠٢٠٠٠", "+15550102000"],
    ["Extended Arabic-Indic digits", "+۱۵۵۵۰۱۰۲۰۰۰", "+15550102000"],
    ["Devanagari digits", "+१५५५०१०२०००", "+15550102000"],
    ["full-width digits and plus", "＋１ ５５５ ０１０ ２０００", "+15550102000"],
    ["mathematical bold digits", "+𝟏𝟓𝟓𝟓𝟎𝟏𝟎𝟐𝟎𝟎𝟎", "+15550102000"],
    ["invisible characters in a non-phone id", "c\u200dl\u200ci", "cli"],
  ])("strips and folds %s before comparing", (_label, raw, expected) => {
    expect(normalizePeerId(raw)).toBe(expected);
  });

  it.each([
    ["cron:15550102000"],
    ["hook:15550102000"],
    ["agent:main:15550102000"],
    ["subagent:15550102000"],
    ["global"],
  ])("never reads the session key %j as a phone number", (key) => {
    expect(isPhoneLike(key)).toBe(false);
    expect(normalizePeerId(key)).toBe(key);
  });

  it.each([
    ["Agent:Main:Gated", "agent:main:gated"],
    ["GLOBAL", "global"],
    ["Cron:Nightly-Report", "cron:nightly-report"],
    ["hook:Gmail:ABC", "hook:gmail:abc"],
    ["+1 (555) 010-2000", "+15550102000"],
  ])("keys the peer %j as %j, the host's canonical form", (raw, expected) => {
    expect(peerKey(raw)).toBe(expected);
  });

  it.each([
    ["", "is empty once invisible characters and spaces are removed"],
    ["\u200b \ufeff", "is empty once invisible characters and spaces are removed"],
    ["Mom's phone", "has spaces or control characters but is not a phone number of 7 to 15 digits"],
    ["+1 555 01", "has spaces or control characters but is not a phone number of 7 to 15 digits"],
    ["+1 555 010 2000", undefined],
    ["agent:main:gated", undefined],
  ])("says whether the entry %j can match: %s", (entry, reason) => {
    expect(unmatchableReason(entry)).toBe(reason);
  });
});
