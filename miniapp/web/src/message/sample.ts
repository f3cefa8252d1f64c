// What {{placeholders}} show in the owner's previews: their own name, as "send me this touch" does.
import type { Me } from "../types.ts";

/** Placeholder names and the values a preview fills them with. */
export type Sample = Record<string, string | undefined>;

/** The owner's own names and sample contacts, from what Telegram says about them. */
export function sampleFor(user: Me["user"]): Sample {
  return {
    first_name: user.firstName,
    last_name: user.lastName,
    full_name: [user.firstName, user.lastName].filter(Boolean).join(" "),
    username: user.username ? `@${user.username}` : undefined,
    phone: "+79990000000",
    email: "name@example.com",
  };
}
