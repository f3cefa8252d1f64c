// The signed-in app: who the user is, the tabs, the page stack and the Back Button.
import { type ReactNode, useCallback, useMemo, useRef, useState } from "react";
import { api } from "./api.ts";
import { setLanguage, t } from "./i18n/translate.ts";
import { sampleFor } from "./message/sample.ts";
import { type Nav, NavContext, type Route, type Tab } from "./nav.tsx";
import { AnalyticsPage } from "./pages/Analytics.tsx";
import { BroadcastsPage, NewBroadcastPage } from "./pages/Broadcasts.tsx";
import { ChainsPage } from "./pages/Chains.tsx";
import { ChainEditorPage } from "./pages/chainEditor/ChainEditorPage.tsx";
import { DashboardPage } from "./pages/Dashboard.tsx";
import { LeadMagnetPage } from "./pages/leadMagnets/LeadMagnetPage.tsx";
import { LeadMagnetsPage } from "./pages/leadMagnets/LeadMagnetsPage.tsx";
import { SettingsPage } from "./pages/Settings.tsx";
import { SubscriberProfilePage, SubscribersPage } from "./pages/Subscribers.tsx";
import { type Session, SessionContext } from "./session.ts";
import {
  haptic,
  pressEmulatedBack,
  pressEmulatedMain,
  useBackButton,
  useEmulatedChrome,
} from "./telegram.ts";
import { ErrorNote } from "./ui/errors.tsx";
import { Loading } from "./ui/layout.tsx";
import { useLoad } from "./ui/load.ts";
import { ToastProvider } from "./ui/toast.tsx";

const TABS: Tab[] = [
  "dashboard",
  "chains",
  "magnets",
  "subscribers",
  "analytics",
  "broadcasts",
  "settings",
];

export function App({ emulated }: { emulated: boolean }) {
  const me = useLoad(api.me, "me");
  const session = useMemo<Session | null>(() => {
    if (!me.data) return null;
    setLanguage(me.data.user.languageCode ?? navigator.language);
    return {
      me: me.data,
      canEdit: me.data.role === "owner",
      sample: sampleFor(me.data.user),
    };
  }, [me.data]);
  let body: ReactNode;
  if (me.error) {
    setLanguage(navigator.language);
    body = (
      <div className="gate" data-testid="gate">
        <h1>touchchains</h1>
        <ErrorNote error={me.error} onRetry={me.reload} />
      </div>
    );
  } else if (!session) {
    body = <Loading />;
  } else {
    body = (
      <SessionContext.Provider value={session}>
        <ToastProvider>
          <Shell />
        </ToastProvider>
      </SessionContext.Provider>
    );
  }
  return (
    <div className={emulated ? "app emulated" : "app"}>
      {emulated ? <EmulatedHeader /> : null}
      {body}
      {emulated ? <EmulatedMainButton /> : null}
    </div>
  );
}

function Shell() {
  const [stack, setStack] = useState<Route[]>([{ page: "dashboard" }]);
  const guardRef = useRef<(() => Promise<boolean>) | undefined>(undefined);
  const leave = useCallback(async () => {
    const ask = guardRef.current;
    if (ask && !(await ask())) return false;
    guardRef.current = undefined;
    return true;
  }, []);
  const nav = useMemo<Nav>(
    () => ({
      push: (route) => {
        haptic.tap();
        setStack((s) => [...s, route]);
        window.scrollTo(0, 0);
      },
      replace: (route) => setStack((s) => [...s.slice(0, -1), route]),
      back: () => {
        void leave().then((ok) => {
          if (ok) setStack((s) => (s.length > 1 ? s.slice(0, -1) : s));
        });
      },
      guard: (ask) => {
        guardRef.current = ask;
      },
    }),
    [leave],
  );
  const route = stack[stack.length - 1] ?? { page: "dashboard" };
  useBackButton(stack.length > 1 ? nav.back : undefined);

  const openTab = (tab: Tab) => {
    void leave().then((ok) => {
      if (!ok) return;
      haptic.select();
      setStack([{ page: tab }]);
      window.scrollTo(0, 0);
    });
  };

  return (
    <NavContext.Provider value={nav}>
      {stack.length === 1 ? (
        <nav className="tabs" aria-label={t("sections")}>
          {TABS.map((tab) => (
            <button
              type="button"
              key={tab}
              className={route.page === tab ? "tab active" : "tab"}
              aria-current={route.page === tab ? "page" : undefined}
              data-testid={`tab-${tab}`}
              onClick={() => openTab(tab)}
            >
              {t(`tab_${tab}`)}
            </button>
          ))}
        </nav>
      ) : null}
      <main className="page" key={stack.length}>
        <Page route={route} />
      </main>
    </NavContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case "dashboard":
      return <DashboardPage />;
    case "chains":
      return <ChainsPage />;
    case "chain":
      return <ChainEditorPage key={route.id ?? "new"} id={route.id} />;
    case "magnets":
      return <LeadMagnetsPage />;
    case "magnet":
      return <LeadMagnetPage key={route.slug ?? "new"} slug={route.slug} />;
    case "subscribers":
      return <SubscribersPage />;
    case "subscriber":
      return <SubscriberProfilePage key={route.id} id={route.id} />;
    case "analytics":
      return <AnalyticsPage chainId={route.chainId} />;
    case "broadcasts":
      return <BroadcastsPage />;
    case "broadcast-new":
      return <NewBroadcastPage />;
    case "settings":
      return <SettingsPage />;
  }
}

/** Outside Telegram: the header Telegram would draw, with its Back Button. */
function EmulatedHeader() {
  const chrome = useEmulatedChrome();
  return (
    <div className="emulated-header">
      {chrome.back ? (
        <button type="button" data-testid="tg-back" onClick={pressEmulatedBack}>
          ‹ {t("back")}
        </button>
      ) : (
        <span />
      )}
      <span className="emulated-title">touchchains</span>
      <span className="emulated-badge" title={t("emulatedHint")}>
        {t("emulated")}
      </span>
    </div>
  );
}

/** Outside Telegram: the Main Button Telegram would draw under the page. */
function EmulatedMainButton() {
  const { main } = useEmulatedChrome();
  if (!main.visible) return null;
  return (
    <div className="emulated-main">
      <button
        type="button"
        data-testid="tg-main-button"
        disabled={!main.active}
        onClick={pressEmulatedMain}
      >
        {main.progress ? <span className="spinner small" /> : main.text}
      </button>
    </div>
  );
}
