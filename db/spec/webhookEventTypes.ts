// The event types a webhook endpoint may want: without zod, so the Mini App shares the list.

export const WEBHOOK_EVENT_TYPES = [
  "subscribed",
  "lead_captured",
  "hot",
  "lead_taken",
  "lead_won",
  "lead_lost",
  "purchase",
  "converted",
  "unsubscribed",
  "blocked",
  "forgotten",
  /** Any other event a website sent through the events API (cart_abandoned, registration, …). */
  "website_event",
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];
