// The event names of the log: those the product records itself, and those a website may send.

/** The events the product itself records; `purchase` may also come from a website. */
export const EVENT_TYPES = [
  "subscribed",
  "resubscribed",
  "answered",
  "magnet_delivered",
  "enrolled",
  "touch_sent",
  "touch_failed",
  "touch_skipped",
  "clicked",
  "replied",
  "hot",
  "tag_added",
  "tag_removed",
  "goal_reached",
  "purchase",
  "exited",
  /** A move to another chain its re-entry rule refused: nothing changed. */
  "move_refused",
  /** The variant of an A/B step drawn for a person, once; later touches of that step reuse it. */
  "variant_drawn",
  "unsubscribed",
  "blocked",
  "unblocked",
  "linked",
  "field_set",
  "lead_taken",
  "lead_won",
  "lead_lost",
  "manager_replied",
  "owner_removed",
  /** A person's data was deleted at their request; the event itself carries none, and webhooks tell the CRM to do the same. */
  "forgotten",
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Names meant to come from outside through the events API, besides names of a website's own. */
export const EXTERNAL_EVENT_TYPES = ["purchase", "cart_abandoned", "registration"] as const;

/**
 * Names only the product records. Sent from outside they would be counted as the real thing
 * (an unsubscribe that unsubscribes nobody, a won lead nobody won), so the events API refuses them.
 */
export const INTERNAL_EVENT_TYPES: readonly string[] = EVENT_TYPES.filter(
  (t) => !(EXTERNAL_EVENT_TYPES as readonly string[]).includes(t),
);
