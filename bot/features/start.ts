// /start with a deep link: recognise the person, record the source, and open the lead magnet.
import { Composer } from "grammy";
import { reactivateSubscriber } from "../../db/audience/lifecycle.ts";
import {
  linkExternalId,
  type Subscriber,
  upsertSubscriber,
} from "../../db/audience/subscribers.ts";
import { subscribedData } from "../../db/capture/arrivalEvents.ts";
import { completeLeadMagnet } from "../../db/capture/capture.ts";
import type { LeadMagnet } from "../../db/capture/leadMagnets.ts";
import { appendEvent } from "../../db/events.ts";
import type { BotContext } from "../context.ts";
import { LEAD_MAGNET_CONVERSATION } from "../conversations/leadMagnet.ts";
import { finishedMagnetReplies } from "../conversations/magnetReplies.ts";
import { readStartPayload } from "../deepLink.ts";
import { t } from "../i18n.ts";
import { say } from "../replies/recordReply.ts";

export const startFeature = new Composer<BotContext>();

startFeature.chatType("private").command("start", async (ctx) => {
  const { db, clock, config } = ctx.deps;
  const now = clock();
  const payload = ctx.match.trim();
  const { linkId, wantsMagnet, magnetSlug, source } = readStartPayload(payload);
  if (!wantsMagnet) ctx.log.info({ payload }, "malformed start payload; generic welcome");
  // A linking link opens the default magnet, like a plain /start.
  const magnet = wantsMagnet ? await config.leadMagnetOrDefault(magnetSlug) : null;
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
      data: subscribedData({ source, magnetSlug: magnet?.slug ?? null, payload: payload || null }),
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
  if (magnet.questions.length === 0) {
    // Nothing to ask: delivered at once, without a questionnaire's state to write and clear.
    await deliverAtOnce(ctx, { magnet, subscriber, source, now });
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

/**
 * A magnet without questions: the greeting, the deliverable, the completion and the enrollment in
 * one transaction, as the questionnaire's last step records them.
 */
async function deliverAtOnce(
  ctx: BotContext,
  input: { magnet: LeadMagnet; subscriber: Subscriber; source: string | null; now: Date },
): Promise<void> {
  const { deps } = ctx;
  const { magnet, subscriber } = input;
  const replies = finishedMagnetReplies(magnet, {
    chatId: ctx.chat?.id ?? (ctx.from?.id as number),
    updateId: ctx.update.update_id,
    lang: ctx.lang,
    subject: {
      firstName: subscriber.firstName,
      lastName: subscriber.lastName,
      username: subscriber.username,
      answers: subscriber.answers,
    },
  });
  const chain = magnet.chainId === null ? undefined : await deps.config.chain(magnet.chainId);
  const result = await completeLeadMagnet(deps.db, {
    subscriberId: subscriber.id,
    leadMagnetId: magnet.id,
    magnet: { slug: magnet.slug, chainId: magnet.chainId },
    ...(chain ? { chain } : {}),
    arrivedNow: true,
    answers: [],
    source: input.source,
    now: input.now,
    defaultTimezone: deps.defaultTimezone,
    replies,
  });
  deps.wakeReplies?.();
  deps.wakeDispatcher?.();
  ctx.log.info(
    {
      subscriberId: subscriber.id,
      magnet: magnet.slug,
      source: input.source,
      enrolled: result.enrolled,
      ...("reason" in result ? { reason: result.reason } : {}),
    },
    "lead magnet completed",
  );
}
