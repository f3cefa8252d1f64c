// Builds the owners' Mini App into miniapp/web/dist, served by the HTTP server at /app/.
import { fileURLToPath } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";
import { devLaunchParams } from "./scripts/devLaunchParams.ts";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  root,
  base: "/app/",
  plugins: [react(), devLaunchParams()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    // One small bundle: the app is a handful of pages, splitting would only add round trips.
    chunkSizeWarningLimit: 400,
  },
  server: {
    host: "127.0.0.1",
    port: Number(process.env.WEB_PORT ?? 5173),
    // The API runs in the bot's process (npm start); the dev server forwards /api to it.
    proxy: { "/api": process.env.API_URL ?? "http://127.0.0.1:8080" },
  },
});
