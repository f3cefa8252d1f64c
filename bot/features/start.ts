// /start with a deep link: recognise the person, record the source, and open the lead magnet.
import { Composer } from "grammy";
import { reactivateSubscriber } from "../../db/audience/lifecycle.ts";
import { linkExternalId, upsertSubscriber } from "../../db/audience/subscribers.ts";
import { getDefaultLeadMagnet, getLeadMagnet } from "../../db/capture/leadMagnets.ts";
import { appendEvent } from "../../db/events.ts";
import type { BotContext } from "../context.ts";
import { LEAD_MAGNET_CONVERSATION } from "../conversations/leadMagnet.ts";
import { parseLinkPayload, parseStartPayload } from "../deepLink.ts";
import { t } from "../i18n.ts";
import { say } from "../replies/recordReply.ts";

export const startFeature = new Composer<BotContext>();

startFeature.chatType("private").command("start", async (ctx) => {
  const { db, clock } = ctx.deps;
  const now = clock();
  const payload = ctx.match.trim();
  const linkId = parseLinkPayload(payload);
  const parsed = payload && !linkId ? parseStartPayload(payload) : null;
  if (payload && !linkId && !parsed)
    ctx.log.info({ payload }, "malformed start payload; generic welcome");

  // A linking link opens the default magnet, like a plain /start.
  const magnet = parsed
    ? await getLeadMagnet(db, parsed.magnetSlug)
    : payload && !linkId
      ? null
      : await getDefaultLeadMagnet(db);
  const source = parsed?.source ?? null;
  const { subscriber, created } = await upsertSubscriber(
    db,
    {
      telegramId: ctx.from.id,
      username: ctx.from.username ?? null,
      firstName: ctx.from.first_name,
      lastName: ctx.from.last_name ?? null,
      languageCode: ctx.from.language_code ?? null,
    },
    { source, leadMagnetId: magnet?.id ?? null, payload: payload || null },
    now,
  );
  if (created) {
    await appendEvent(db, {
      subscriberId: subscriber.id,
      type: "subscribed",
      data: {
        ...(source ? { source } : {}),
        ...(magnet ? { magnet: magnet.slug } : {}),
        ...(payload ? { payload } : {}),
      },
      occurredAt: now,
    });
  } else if (subscriber.status !== "active") {
    await reactivateSubscriber(db, { subscriberId: subscriber.id, event: "resubscribed", now });
    await say(ctx, "welcomeBack", t(ctx.lang, "welcomeBack"));
  }

  if (linkId) {
    const linked = await linkExternalId(db, {
      subscriberId: subscriber.id,
      externalId: linkId,
      now,
    });
    ctx.log.info({ externalId: linkId, result: linked }, "website account link");
  }

  // A new /start replaces a questionnaire in progress instead of mixing two.
  await ctx.conversation.exitAll();
  if (!magnet) {
    await say(ctx, "welcome", t(ctx.lang, "welcome"));
    return;
  }
  await ctx.conversation.enter(
    LEAD_MAGNET_CONVERSATION,
    magnet.id,
    subscriber.id,
    source,
    ctx.lang,
  );
});
