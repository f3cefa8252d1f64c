// What the events of a person's arrival say, in one place for every path that records them (a
// /start handled alone, a campaign's burst handled in a batch, a questionnaire's last answer).

/** `subscribed`: a person new to the bot, where they came from and what they asked for. */
export function subscribedData(input: {
  source: string | null;
  magnetSlug: string | null;
  payload: string | null;
}): Record<string, unknown> {
  return {
    ...(input.source ? { source: input.source } : {}),
    ...(input.magnetSlug ? { magnet: input.magnetSlug } : {}),
    ...(input.payload ? { payload: input.payload } : {}),
  };
}

/** `magnet_delivered`: the magnet, and the source its link carried. */
export function magnetDeliveredData(
  magnetSlug: string,
  source: string | null,
): Record<string, unknown> {
  return { magnet: magnetSlug, ...(source ? { source } : {}) };
}
