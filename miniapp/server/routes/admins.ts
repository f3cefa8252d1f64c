// /api/admins: who may open the Mini App. Owners come from OWNER_IDS; owners add and remove managers.
import { Hono } from "hono";
import { z } from "zod";
import { addManager, listAdmins, removeManager, roleOf } from "../../../db/admins.ts";
import { type ApiEnv, ownerOnly } from "../auth.ts";
import { type ApiDeps, idParam, jsonBody } from "../http.ts";

const managerBody = z
  .object({
    telegramId: z
      .number({ error: "telegramId must be a Telegram user id (a number)" })
      .int("telegramId must be a whole number")
      .positive("telegramId must be a Telegram user id (a positive number)")
      .max(Number.MAX_SAFE_INTEGER),
    name: z.string().trim().min(1, "leave the name out rather than empty").max(120).optional(),
  })
  .strict();

/** Who may use the Mini App: everyone reads the list; owners add and remove managers. */
export function adminsRoutes(deps: ApiDeps) {
  const { db } = deps;
  return new Hono<ApiEnv>()
    .get("/", async (c) =>
      c.json(
        (await listAdmins(db)).map((a) => ({
          telegramId: a.telegramId,
          role: a.role,
          name: a.name,
        })),
      ),
    )
    .post("/", ownerOnly, jsonBody(managerBody), async (c) => {
      const { telegramId, name } = c.req.valid("json");
      const role = await addManager(db, telegramId, name);
      const admin = (await listAdmins(db)).find((a) => a.telegramId === telegramId);
      return c.json({ telegramId, role, name: admin?.name ?? null }, 201);
    })
    .delete("/:telegramId", ownerOnly, async (c) => {
      const telegramId = idParam(c, "telegramId", "admin", 16);
      const role = await roleOf(db, telegramId);
      if (role === null) return c.json({ error: "no such admin" }, 404);
      if (role === "owner") {
        return c.json(
          { error: "owners come from OWNER_IDS: remove the id there and restart the bot" },
          409,
        );
      }
      await removeManager(db, telegramId);
      return c.body(null, 204);
    });
}
