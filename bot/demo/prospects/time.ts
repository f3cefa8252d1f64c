// Engine time in the demo: milliseconds since the run began, counted in these units.
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
