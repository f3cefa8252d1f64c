// The managers' group: an owner links it with /linkgroup; managers take, win or lose leads from
// their cards; anyone else pressing a button is told so and changes nothing.
import { Composer } from "grammy";
import { roleOf } from "../../db/admins.ts";
import { appendEvent } from "../../db/events.ts";
import { loadLeadCard } from "../../db/hotLeads/card.ts";
import { closeAlert, type LeadAlert, takeAlert } from "../../db/hotLeads/detection.ts";
import { enqueueGroupMessage } from "../../db/hotLeads/outbox.ts";
import { applyGoals } from "../../db/journeys/goals.ts";
import { getLeadSettings, updateLeadSettings } from "../../db/settings.ts";
import { CARD_CALLBACK, renderCard } from "../alerts/card.ts";
import type { BotContext } from "../context.ts";
import { t } from "../i18n.ts";
import { acknowledge } from "../replies/recordReply.ts";

export const managerGroupFeature = new Composer<BotContext>();
const groups = managerGroupFeature.chatType(["group", "supergroup"]);

groups.command("linkgroup", async (ctx) => {
  if ((await roleOf(ctx.deps.db, ctx.from.id)) !== "owner") {
    await enqueueGroupMessage(ctx.deps.db, groupReply(ctx, t(ctx.lang, "linkOwnersOnly")));
    return;
  }
  await updateLeadSettings(ctx.deps.db, { managerChatId: ctx.chat.id, language: ctx.lang });
  ctx.log.info({ chatId: ctx.chat.id }, "managers' group linked");
  await enqueueGroupMessage(ctx.deps.db, groupReply(ctx, t(ctx.lang, "groupLinked")));
});

/** Replies in a group go through its outbox, within the group's 20 messages a minute. */
function groupReply(ctx: BotContext & { chat: { id: number } }, text: string) {
  return { chatId: ctx.chat.id, method: "sendMessage" as const, params: { text } };
}

const nameOf = (from: { first_name: string; last_name?: string; username?: string }) =>
  [from.first_name, from.last_name].filter(Boolean).join(" ") ||
  (from.username ? `@${from.username}` : "?");

/** Redraws the card so everyone in the group sees who took the lead and how it ended. */
async function redraw(ctx: BotContext, alert: LeadAlert): Promise<void> {
  const card = await loadLeadCard(ctx.deps.db, alert.subscriberId);
  if (!card || !ctx.callbackQuery?.message) return;
  const settings = await getLeadSettings(ctx.deps.db);
  const { text, ...rest } = renderCard(card, alert, settings.language, ctx.deps.defaultTimezone);
  await ctx.editMessageText(text, rest as never).catch((error: unknown) => {
    ctx.log.warn({ err: error }, "could not redraw the lead card");
  });
}

managerGroupFeature.callbackQuery(CARD_CALLBACK, async (ctx) => {
  const [, action, id] = ctx.match as RegExpMatchArray;
  const alertId = Number(id);
  const role = await roleOf(ctx.deps.db, ctx.from.id);
  if (!role) {
    await acknowledge(ctx, { text: t(ctx.lang, "leadOnlyManagers"), show_alert: true });
    return;
  }
  const now = ctx.deps.clock();
  const managerName = nameOf(ctx.from);
  if (action === "take") {
    const result = await takeAlert(ctx.deps.db, {
      alertId,
      managerId: ctx.from.id,
      managerName,
      now,
    });
    if (!result.taken) {
      const text =
        result.reason === "already_taken" && result.alert?.takenBy === ctx.from.id
          ? t(ctx.lang, "leadYours")
          : result.reason === "already_taken"
            ? t(ctx.lang, "leadTakenBy", { name: result.alert?.takenByName ?? "?" })
            : t(ctx.lang, "leadClosed");
      await acknowledge(ctx, { text, show_alert: result.reason === "already_taken" });
      return;
    }
    await appendEvent(ctx.deps.db, {
      subscriberId: result.alert.subscriberId,
      type: "lead_taken",
      data: { managerId: ctx.from.id, manager: managerName },
      occurredAt: now,
    });
    await acknowledge(ctx, { text: t(ctx.lang, "leadYours") });
    await redraw(ctx, result.alert);
    return;
  }
  const outcome = action === "won" ? "won" : "lost";
  const result = await closeAlert(ctx.deps.db, {
    alertId,
    outcome,
    managerId: ctx.from.id,
    managerName,
    isOwner: role === "owner",
    now,
  });
  if (!result.closed) {
    const text =
      result.reason === "not_yours"
        ? t(ctx.lang, "leadNotYours", { name: result.alert?.takenByName ?? "?" })
        : t(ctx.lang, "leadClosed");
    await acknowledge(ctx, { text, show_alert: true });
    return;
  }
  const type = outcome === "won" ? "lead_won" : "lead_lost";
  await appendEvent(ctx.deps.db, {
    subscriberId: result.alert.subscriberId,
    type,
    data: { managerId: ctx.from.id, manager: managerName },
    occurredAt: now,
  });
  // A chain may name lead_won as its goal: a sale made by a person ends it as converted.
  await applyGoals(ctx.deps.db, { subscriberId: result.alert.subscriberId, now, eventType: type });
  await acknowledge(ctx, { text: t(ctx.lang, outcome === "won" ? "leadWon" : "leadLost") });
  await redraw(ctx, result.alert);
});
