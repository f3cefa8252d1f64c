import { describe, expect, it } from "vitest";
import { normalizeEmail, normalizePhone } from "../../bot/conversations/answers.ts";
import { buildStartPayload, parseStartPayload } from "../../bot/deepLink.ts";
import { langOf } from "../../bot/i18n.ts";

describe("answer normalisation", () => {
  it.each([
    ["+7 (912) 345-67-89", "+79123456789"],
    ["8 912 345 67 89", "+79123456789"],
    ["+44 7700 900123", "+447700900123"],
    ["12345", null],
    ["call me", null],
    ["+1234567890123456", null],
  ])("phone %s -> %s", (input, expected) => {
    expect(normalizePhone(input)).toBe(expected);
  });

  it.each([
    ["Anna@Example.COM", "anna@example.com"],
    [" a.b+c@mail.co.uk ", "a.b+c@mail.co.uk"],
    ["anna@example", null],
    ["anna example.com", null],
    ["@example.com", null],
  ])("email %s -> %s", (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });
});

describe("deep-link payloads", () => {
  it.each([
    ["checklist", { magnetSlug: "checklist", source: null }],
    ["checklist-vk_ads", { magnetSlug: "checklist", source: "vk_ads" }],
    ["guide-tg-post-12", { magnetSlug: "guide", source: "tg-post-12" }],
    ["guide-", { magnetSlug: "guide", source: null }],
    ["-ads", null],
    ["with space", null],
    ["x".repeat(65), null],
    ["кириллица", null],
  ])("%s", (payload, expected) => {
    expect(parseStartPayload(payload)).toEqual(expected);
  });

  it("builds payloads and refuses ones Telegram would not carry", () => {
    expect(buildStartPayload("checklist", "vk")).toBe("checklist-vk");
    expect(() => buildStartPayload("checklist", "a".repeat(60))).toThrow(/at most 64/);
  });

  it("picks Russian for Russian-reading languages and English otherwise", () => {
    expect(langOf("ru")).toBe("ru");
    expect(langOf("uk-UA")).toBe("ru");
    expect(langOf("de")).toBe("en");
    expect(langOf(undefined)).toBe("en");
  });
});
