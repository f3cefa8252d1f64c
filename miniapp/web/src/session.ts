// Who is using the app, as the server answered GET /api/me: the role only shapes the screens;
// the server checks it again on every request.
import { createContext, useContext } from "react";
import type { Sample } from "./message/sample.ts";
import type { Me } from "./types.ts";

export interface Session {
  me: Me;
  /** Owners edit; managers read and act on subscribers. */
  canEdit: boolean;
  sample: Sample;
}

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error("useSession() outside the signed-in app");
  return session;
}
