import { describe, expect, it } from "vitest";
import { parseDateAnswer } from "../../../db/spec/dates.ts";
import { isTimeZone, zoneFromPhone, zoneFromTyped } from "../../../db/spec/timezones.ts";

describe("dates as people write them", () => {
  it.each([
    ["17.05.1990", "1990-05-17"],
    ["17.05", "05-17"],
    ["1990-05-17", "1990-05-17"],
    ["05-17", "05-17"],
    ["17 мая", "05-17"],
    ["17 мая 1990", "1990-05-17"],
    ["17 мая 1990 г.", "1990-05-17"],
    ["3 May", "05-03"],
    ["29.02", "02-29"],
    ["29.02.2024", "2024-02-29"],
    ["7/3/2001", "2001-03-07"],
  ])("reads %s as %s", (typed, iso) => {
    expect(parseDateAnswer(typed)).toBe(iso);
  });

  it.each([
    "31.02",
    "31.02.1990",
    "29.02.2023",
    "32.01",
    "17.13",
    "1990-13-01",
    "tomorrow",
    "17 бля",
    "",
  ])("refuses %s", (typed) => {
    expect(parseDateAnswer(typed)).toBeNull();
  });
});

describe("time zones from what people tell", () => {
  it("knows cities in Russian and English, zone names and UTC offsets", () => {
    expect(zoneFromTyped("Новосибирск")).toBe("Asia/Novosibirsk");
    expect(zoneFromTyped("  berlin ")).toBe("Europe/Berlin");
    expect(zoneFromTyped("Asia/Yakutsk")).toBe("Asia/Yakutsk");
    // The tz database's fixed-offset zones have the sign reversed.
    expect(zoneFromTyped("UTC+7")).toBe("Etc/GMT-7");
    expect(zoneFromTyped("GMT-4")).toBe("Etc/GMT+4");
    expect(zoneFromTyped("+3")).toBe("Etc/GMT-3");
    expect(zoneFromTyped("UTC+0")).toBe("Etc/UTC");
  });

  it("refuses what is no place or offset", () => {
    for (const typed of ["Atlantis", "UTC+15", "Mars/Olympus", "", "+99"]) {
      expect(zoneFromTyped(typed), typed).toBeNull();
    }
    expect(isTimeZone("Mars/Olympus")).toBe(false);
  });

  it("guesses only for countries with one zone", () => {
    expect(zoneFromPhone("+375291234567")).toBe("Europe/Minsk");
    expect(zoneFromPhone("+491701234567")).toBe("Europe/Berlin");
    expect(zoneFromPhone("+79161234567")).toBeNull(); // Russia spans eleven zones
    expect(zoneFromPhone("+12025550123")).toBeNull();
  });
});
