// In-memory navigation: tabs at the root, a stack of detail pages above them, the Back Button
// to go down. Telegram's launch parameters live in the URL, so the app leaves the URL alone.
import { createContext, useContext } from "react";

export type Route =
  | { page: "dashboard" }
  | { page: "chains" }
  | { page: "chain"; id?: number }
  | { page: "magnets" }
  | { page: "magnet"; slug?: string }
  | { page: "subscribers" }
  | { page: "subscriber"; id: number }
  | { page: "analytics"; chainId?: number }
  | { page: "broadcasts" }
  | { page: "broadcast-new" }
  | { page: "settings" };

export type Tab =
  | "dashboard"
  | "chains"
  | "magnets"
  | "subscribers"
  | "analytics"
  | "broadcasts"
  | "settings";

export interface Nav {
  push: (route: Route) => void;
  /** Replaces the page on top, e.g. a new chain's page with the saved chain's. */
  replace: (route: Route) => void;
  back: () => void;
  /** A page with unsaved changes asks before it is left; undefined clears the guard. */
  guard: (ask: (() => Promise<boolean>) | undefined) => void;
}

export const NavContext = createContext<Nav>({
  push: () => {},
  replace: () => {},
  back: () => {},
  guard: () => {},
});

export const useNav = () => useContext(NavContext);
