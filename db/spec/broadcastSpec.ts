// What an owner asks for when broadcasting: a message, to a segment or to everyone, now or later.
import { z } from "zod";
import { message, slug } from "./message.ts";

export const broadcastInput = z
  .object({
    name: z.string().trim().min(1, "a broadcast needs a name").max(120),
    /** A segment's slug; left out, the broadcast goes to every active subscriber. */
    segment: slug("segment slug").optional(),
    message,
    /** When it may go; the policy may still hold each touch back (quiet hours, daily cap). */
    scheduledAt: z.date().optional(),
    /** Purchases within these days of the message are credited to the broadcast. */
    goalEvents: z.array(slug("event type", 64)).default(["purchase"]),
  })
  .strict();
export type BroadcastInput = z.input<typeof broadcastInput>;
