// A person's time zone from what they can tell us: a city button, a typed city or UTC offset, an
// IANA name; or a guess from their phone's country code where that country has one zone.
import { IANAZone } from "luxon";

/** Where a subscriber's zone came from; a guess is replaced by any of the others. */
export type TimezoneSource = "guess" | "answer" | "api" | "owner";

/** True for a zone name the tz database knows, such as "Asia/Novosibirsk". */
export function isTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/** The buttons a timezone question offers unless its lead magnet names its own. */
export const DEFAULT_ZONE_CITIES: { label: string; zone: string }[] = [
  { label: "Калининград", zone: "Europe/Kaliningrad" },
  { label: "Москва", zone: "Europe/Moscow" },
  { label: "Самара", zone: "Europe/Samara" },
  { label: "Екатеринбург", zone: "Asia/Yekaterinburg" },
  { label: "Новосибирск", zone: "Asia/Novosibirsk" },
  { label: "Владивосток", zone: "Asia/Vladivostok" },
];

/** Cities people type, in Russian and English, lower case, to their zone. */
const TYPED_CITIES: Record<string, string> = {
  калининград: "Europe/Kaliningrad",
  kaliningrad: "Europe/Kaliningrad",
  москва: "Europe/Moscow",
  moscow: "Europe/Moscow",
  "санкт-петербург": "Europe/Moscow",
  петербург: "Europe/Moscow",
  спб: "Europe/Moscow",
  "saint petersburg": "Europe/Moscow",
  "st petersburg": "Europe/Moscow",
  казань: "Europe/Moscow",
  kazan: "Europe/Moscow",
  "нижний новгород": "Europe/Moscow",
  краснодар: "Europe/Moscow",
  "ростов-на-дону": "Europe/Moscow",
  воронеж: "Europe/Moscow",
  волгоград: "Europe/Volgograd",
  самара: "Europe/Samara",
  samara: "Europe/Samara",
  ижевск: "Europe/Samara",
  саратов: "Europe/Saratov",
  ульяновск: "Europe/Ulyanovsk",
  екатеринбург: "Asia/Yekaterinburg",
  yekaterinburg: "Asia/Yekaterinburg",
  челябинск: "Asia/Yekaterinburg",
  пермь: "Asia/Yekaterinburg",
  уфа: "Asia/Yekaterinburg",
  тюмень: "Asia/Yekaterinburg",
  омск: "Asia/Omsk",
  omsk: "Asia/Omsk",
  новосибирск: "Asia/Novosibirsk",
  novosibirsk: "Asia/Novosibirsk",
  томск: "Asia/Tomsk",
  барнаул: "Asia/Barnaul",
  кемерово: "Asia/Novokuznetsk",
  новокузнецк: "Asia/Novokuznetsk",
  красноярск: "Asia/Krasnoyarsk",
  krasnoyarsk: "Asia/Krasnoyarsk",
  иркутск: "Asia/Irkutsk",
  irkutsk: "Asia/Irkutsk",
  "улан-удэ": "Asia/Irkutsk",
  чита: "Asia/Chita",
  якутск: "Asia/Yakutsk",
  yakutsk: "Asia/Yakutsk",
  владивосток: "Asia/Vladivostok",
  vladivostok: "Asia/Vladivostok",
  хабаровск: "Asia/Vladivostok",
  khabarovsk: "Asia/Vladivostok",
  магадан: "Asia/Magadan",
  magadan: "Asia/Magadan",
  "южно-сахалинск": "Asia/Sakhalin",
  "петропавловск-камчатский": "Asia/Kamchatka",
  минск: "Europe/Minsk",
  minsk: "Europe/Minsk",
  киев: "Europe/Kyiv",
  київ: "Europe/Kyiv",
  kyiv: "Europe/Kyiv",
  kiev: "Europe/Kyiv",
  алматы: "Asia/Almaty",
  almaty: "Asia/Almaty",
  астана: "Asia/Almaty",
  ташкент: "Asia/Tashkent",
  tashkent: "Asia/Tashkent",
  тбилиси: "Asia/Tbilisi",
  tbilisi: "Asia/Tbilisi",
  ереван: "Asia/Yerevan",
  yerevan: "Asia/Yerevan",
  баку: "Asia/Baku",
  baku: "Asia/Baku",
  берлин: "Europe/Berlin",
  berlin: "Europe/Berlin",
  лондон: "Europe/London",
  london: "Europe/London",
  париж: "Europe/Paris",
  paris: "Europe/Paris",
  стамбул: "Europe/Istanbul",
  istanbul: "Europe/Istanbul",
  дубай: "Asia/Dubai",
  dubai: "Asia/Dubai",
  бангкок: "Asia/Bangkok",
  bangkok: "Asia/Bangkok",
  "нью-йорк": "America/New_York",
  "new york": "America/New_York",
};

/**
 * The zone of what a person typed: a city we know, an IANA name, or a UTC offset ("+3",
 * "UTC+05:00", "GMT-4"); null when it is none of these.
 */
export function zoneFromTyped(typed: string): string | null {
  const text = typed.trim().replace(/\s+/g, " ");
  if (text.length === 0 || text.length > 64) return null;
  const city = TYPED_CITIES[text.toLowerCase().replace(/ё/g, "е")];
  if (city) return city;
  if (text.includes("/") && isTimeZone(text)) return IANAZone.create(text).name;
  const offset = /^(?:utc|gmt)?\s*([+\-−])\s*(\d{1,2})(?::?(\d{2}))?$/i.exec(text);
  if (offset) {
    const sign = offset[1] === "+" ? 1 : -1;
    const hours = Number(offset[2]);
    const minutes = Number(offset[3] ?? 0);
    if (minutes === 0 && hours <= 14) {
      // The tz database's fixed-offset zones have the sign reversed: UTC+3 is Etc/GMT-3.
      return hours === 0 ? "Etc/UTC" : `Etc/GMT${sign > 0 ? "-" : "+"}${hours}`;
    }
    if (minutes > 0 && minutes < 60 && hours <= 14) {
      const zone = `UTC${sign > 0 ? "+" : "-"}${hours}:${String(minutes).padStart(2, "0")}`;
      return isTimeZone(zone) ? zone : null;
    }
  }
  return null;
}

/** Countries with one time zone, by calling code (longest codes first when matching). */
const SINGLE_ZONE_CODES: Record<string, string> = {
  "375": "Europe/Minsk",
  "380": "Europe/Kyiv",
  "373": "Europe/Chisinau",
  "374": "Asia/Yerevan",
  "994": "Asia/Baku",
  "995": "Asia/Tbilisi",
  "996": "Asia/Bishkek",
  "992": "Asia/Dushanbe",
  "993": "Asia/Ashgabat",
  "998": "Asia/Tashkent",
  "972": "Asia/Jerusalem",
  "971": "Asia/Dubai",
  "370": "Europe/Vilnius",
  "371": "Europe/Riga",
  "372": "Europe/Tallinn",
  "358": "Europe/Helsinki",
  "90": "Europe/Istanbul",
  "49": "Europe/Berlin",
  "48": "Europe/Warsaw",
  "44": "Europe/London",
  "41": "Europe/Zurich",
  "39": "Europe/Rome",
  "33": "Europe/Paris",
  "66": "Asia/Bangkok",
  "84": "Asia/Ho_Chi_Minh",
  "81": "Asia/Tokyo",
  "86": "Asia/Shanghai",
  "91": "Asia/Kolkata",
};

/**
 * A best guess from a phone number in international form ("+375…"), only where the country has
 * a single zone; Russia and Kazakhstan (+7) span many, so they give none.
 */
export function zoneFromPhone(phone: string): string | null {
  const digits = phone.replace(/\D/g, "");
  for (const length of [3, 2]) {
    const zone = SINGLE_ZONE_CODES[digits.slice(0, length)];
    if (zone) return zone;
  }
  return null;
}
