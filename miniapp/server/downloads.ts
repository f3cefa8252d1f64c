// Files the Mini App hands to Telegram to download (CSV exports). Telegram fetches the URL itself,
// without the app's sign-in header, so the URL carries a short-lived token signed with a key made
// from the bot token: only an owner's API call can mint one, and it names exactly what to export.
import { createHmac, timingSafeEqual } from "node:crypto";
import { Hono, type MiddlewareHandler } from "hono";
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { SUBSCRIBER_STATUSES } from "../../db/spec/segmentSpec.ts";
import { exportSubscribersCsv } from "../../db/transfer/exportSubscribers.ts";
import { funnelCsv } from "../../db/transfer/funnelCsv.ts";

/** A link works this long: enough for Telegram's download prompt, too short to be passed around. */
export const DOWNLOAD_TTL_MS = 10 * 60_000;

const what = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("subscribers"),
    q: z.string().max(200).optional(),
    tag: z.string().max(200).optional(),
    status: z.enum(SUBSCRIBER_STATUSES).optional(),
  }),
  z.object({
    kind: z.literal("funnel"),
    chainId: z.number().int().positive(),
    from: z.string().datetime().optional(),
    to: z.string().datetime().optional(),
  }),
]);
export type Download = z.infer<typeof what>;
const signed = z.object({ what, exp: z.number().int() });

const keyOf = (botToken: string) =>
  createHmac("sha256", "touchchains downloads").update(botToken).digest();

/** A token naming what to export, good until `now + DOWNLOAD_TTL_MS`. */
export function signDownload(botToken: string, download: Download, now: number): string {
  const body = Buffer.from(JSON.stringify({ what: download, exp: now + DOWNLOAD_TTL_MS })).toString(
    "base64url",
  );
  const mac = createHmac("sha256", keyOf(botToken)).update(body).digest("base64url");
  return `${body}.${mac}`;
}

/** What a token names, or null when it is forged, malformed or expired. */
export function verifyDownload(botToken: string, token: string, now: number): Download | null {
  const [body, mac, extra] = token.split(".");
  if (!body || !mac || extra !== undefined) return null;
  const expected = createHmac("sha256", keyOf(botToken)).update(body).digest();
  const given = Buffer.from(mac, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    const parsed = signed.safeParse(JSON.parse(Buffer.from(body, "base64url").toString("utf8")));
    if (!parsed.success || parsed.data.exp < now) return null;
    return parsed.data.what;
  } catch {
    return null;
  }
}

/** The file's name: what it is and the day it was made. */
export function downloadName(download: Download, at: Date, chainSlug?: string): string {
  const day = at.toISOString().slice(0, 10);
  return download.kind === "subscribers"
    ? `subscribers-${day}.csv`
    : `funnel-${chainSlug ?? download.chainId}-${day}.csv`;
}

/** GET /download/<token>: the CSV file the token names. */
export function downloadRoutes(deps: {
  db: Db;
  botToken: string | undefined;
  clock: () => Date;
  wallClock: () => number;
  limit: MiddlewareHandler;
}) {
  return new Hono().get("/:token", deps.limit, async (c) => {
    const download = deps.botToken
      ? verifyDownload(deps.botToken, c.req.param("token"), deps.wallClock())
      : null;
    if (!download) {
      return c.text("This download link is invalid or has expired: export again.", 404);
    }
    let csv: string | null;
    let name: string;
    if (download.kind === "subscribers") {
      const { kind: _kind, ...filter } = download;
      csv = (await exportSubscribersCsv(deps.db, filter)).csv;
      name = downloadName(download, deps.clock());
    } else {
      csv = await funnelCsv(deps.db, {
        chainId: download.chainId,
        from: download.from ? new Date(download.from) : undefined,
        to: download.to ? new Date(download.to) : undefined,
        timezone: "UTC",
      });
      name = downloadName(download, deps.clock());
    }
    if (csv === null) return c.text("That chain no longer exists.", 404);
    return c.body(csv, 200, {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${name}"`,
      "Cache-Control": "no-store",
    });
  });
}
