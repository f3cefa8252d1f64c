// The Mini App API under /api: rate limit, body limit, Telegram sign-in and roles, then one router per resource.
import { Hono, type MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { type ApiEnv, initDataAuth } from "./auth.ts";
import { type ApiDeps, apiError } from "./http.ts";
import { adminsRoutes } from "./routes/admins.ts";
import { analyticsRoutes } from "./routes/analytics.ts";
import { broadcastsRoutes } from "./routes/broadcasts.ts";
import { chainsRoutes } from "./routes/chains.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { exportsRoutes } from "./routes/exports.ts";
import { importsRoutes } from "./routes/imports.ts";
import { leadMagnetsRoutes } from "./routes/leadMagnets.ts";
import { meRoutes } from "./routes/me.ts";
import { segmentsRoutes } from "./routes/segments.ts";
import { settingsRoutes } from "./routes/settings.ts";
import { subscribersRoutes } from "./routes/subscribers.ts";
import { webhooksRoutes } from "./routes/webhooks.ts";

/** What the Mini App API needs: the routers' shared needs, and how to check sign-in. */
export interface MiniAppApiDeps extends ApiDeps {
  /** Without it the API is off: every call answers 503. */
  botToken: string | undefined;
  /** INITDATA_MAX_AGE, in seconds. */
  initDataMaxAge: number;
  /** The per-address rate limit, before anything else is read. */
  limit: MiddlewareHandler;
  /** The wall clock in milliseconds, for init data's dates. */
  wallClock: () => number;
}

/** A chain of 200 steps with long texts is the largest body; 1 MiB leaves room for it. */
const MAX_BODY = 1024 * 1024;

/**
 * The /api router. Its routes are chained, so its type carries every route's input and answer:
 * the web's typed client is built on it (through `AppType`).
 */
export function miniAppApi(deps: MiniAppApiDeps) {
  const api = new Hono<ApiEnv>()
    .use(deps.limit)
    .use(
      bodyLimit({
        maxSize: MAX_BODY,
        onError: (c) => c.json({ error: "the body is larger than 1 MiB" }, 413),
      }),
    )
    .use(initDataAuth({ ...deps, now: deps.wallClock }))
    .route("/me", meRoutes())
    .route("/dashboard", dashboardRoutes(deps))
    .route("/chains", chainsRoutes(deps))
    .route("/lead-magnets", leadMagnetsRoutes(deps))
    .route("/subscribers", subscribersRoutes(deps))
    .route("/segments", segmentsRoutes(deps))
    .route("/broadcasts", broadcastsRoutes(deps))
    .route("/settings", settingsRoutes(deps))
    .route("/admins", adminsRoutes(deps))
    .route("/analytics", analyticsRoutes(deps))
    .route("/webhooks", webhooksRoutes(deps))
    .route("/exports", exportsRoutes(deps))
    .route("/imports", importsRoutes(deps));
  api.onError(apiError(deps.logger));
  return api;
}
