// The built Mini App (miniapp/web/dist) at /app/: files as they are, index.html for client routes.
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type MiddlewareHandler } from "hono";

/** Hashed bundles never change under one name; everything else must be fetched fresh. */
function cached(handler: MiddlewareHandler): MiddlewareHandler {
  return async (c, next) => {
    const response = await handler(c, next);
    if (response instanceof Response && response.ok) {
      const immutable = c.req.path.startsWith("/app/assets/");
      response.headers.set(
        "Cache-Control",
        immutable ? "public, max-age=31536000, immutable" : "no-cache",
      );
    }
    return response;
  };
}

/** The Mini App's files, when the build exists; client routes get index.html. */
export function webAppRoutes(dist: string) {
  const files = serveStatic({
    root: dist,
    rewriteRequestPath: (path) => path.replace(/^\/app/, "") || "/",
  });
  const index = serveStatic({ root: dist, path: "index.html" });
  return new Hono()
    .get("/app", (c) => c.redirect("/app/", 301))
    .use("/app/*", cached(files))
    .get(
      "/app/*",
      cached(async (c, next) => {
        // A missing file (a name with an extension) is a 404; any other path is a client route.
        if (/\.[A-Za-z0-9]+$/.test(c.req.path)) return c.text("Not found", 404);
        return index(c, next);
      }),
    );
}
