// A campaign's burst of /starts, handled a batch at a time: the /starts of people new to the bot,
// to lead magnets without questions, are recorded together (db/capture/startBatch.ts) instead of
// one handler each. Everything else a batch holds is left to the bot's handlers, one by one.
import type { Update } from "grammy/types";
import { type NewStart, recordNewStarts } from "../../db/capture/startBatch.ts";
import type { ClaimedUpdate } from "../../db/updateInbox.ts";
import type { BotDeps } from "../context.ts";
import { finishedMagnetReplies } from "../conversations/magnetReplies.ts";
import { readStartPayload } from "../deepLink.ts";
import { langOf } from "../i18n.ts";

/** The payload of a plain private `/start [payload]`, or null for any other update. */
export function startPayloadOf(update: Update, botUsername: string): string | null {
  const message = update.message;
  if (message?.chat.type !== "private" || !message.from || message.from.is_bot) return null;
  const text = message.text ?? "";
  const command = message.entities?.[0];
  if (command?.type !== "bot_command" || command.offset !== 0) return null;
  const name = text.slice(1, command.length);
  if (name !== "start" && name.toLowerCase() !== `start@${botUsername.toLowerCase()}`) return null;
  return text.slice(command.length).trim();
}

/**
 * Returns the batch handler for the update worker: it records what it can of `rows` at once and
 * returns the ids it handled.
 */
export function createStartBurstHandler(deps: BotDeps, botUsername: string) {
  async function startOf(row: ClaimedUpdate): Promise<NewStart | null> {
    const update = row.payload as unknown as Update;
    const payload = startPayloadOf(update, botUsername);
    if (payload === null) return null;
    const target = readStartPayload(payload);
    // A website link and a malformed payload take the usual way (a link, a generic welcome).
    if (target.linkId !== null || !target.wantsMagnet) return null;
    const magnet = await deps.config.leadMagnetOrDefault(target.magnetSlug);
    if (!magnet || magnet.questions.length > 0) return null;
    const chain = magnet.chainId === null ? null : await deps.config.chain(magnet.chainId);
    const message = update.message as NonNullable<Update["message"]>;
    const from = message.from as NonNullable<typeof message.from>;
    return {
      updateId: row.updateId,
      telegramId: from.id,
      username: from.username ?? null,
      firstName: from.first_name,
      lastName: from.last_name ?? null,
      languageCode: from.language_code ?? null,
      magnet: { id: magnet.id, slug: magnet.slug },
      chain,
      source: target.source,
      payload: payload || null,
      replies: finishedMagnetReplies(magnet, {
        chatId: message.chat.id,
        updateId: row.updateId,
        lang: langOf(from.language_code),
        subject: {
          firstName: from.first_name,
          lastName: from.last_name ?? null,
          username: from.username ?? null,
          answers: {},
        },
      }),
    };
  }

  return async function handleBurst(rows: ClaimedUpdate[]): Promise<number[]> {
    const starts: NewStart[] = [];
    for (const row of rows) {
      const start = await startOf(row);
      if (start) starts.push(start);
    }
    // Alone, a /start goes the usual way: a batch of one saves nothing.
    if (starts.length < 2) return [];
    const result = await recordNewStarts(deps.db, {
      starts,
      now: deps.clock(),
      defaultTimezone: deps.defaultTimezone,
    });
    if (result.handled.length > 0) {
      deps.wakeReplies?.();
      deps.wakeDispatcher?.();
      deps.logger.info(
        {
          handled: result.handled.length,
          enrolled: result.subscribers.filter((s) => s.enrolled).length,
        },
        "lead magnets completed in a batch",
      );
    }
    return result.handled;
  };
}
