// Telegram glue: starts the SDK, imitates the Telegram client outside Telegram (development and the
// browser test), and offers the native Back and Main buttons, popups and haptics to the pages.
import {
  backButton,
  copyTextToClipboard,
  downloadFile,
  emitEvent,
  hapticFeedback,
  init,
  mainButton,
  miniApp,
  mockTelegramEnv,
  openLink,
  openTelegramLink,
  popup,
  retrieveRawInitData,
  retrieveRawLaunchParams,
  swipeBehavior,
  themeParams,
} from "@telegram-apps/sdk-react";
import { useEffect, useRef, useSyncExternalStore } from "react";

export type Boot =
  | { ok: true; initData: string; emulated: boolean }
  | { ok: false; reason: "outside" | "dev-unsigned"; detail?: string };

interface TelegramWindow {
  TelegramWebviewProxy?: { postEvent?: unknown };
  external?: { notify?: unknown };
}

/** A real Telegram client: the mobile and desktop webviews, or web.telegram.org's iframe. */
function insideTelegram(): boolean {
  const w = window as unknown as TelegramWindow;
  return (
    typeof w.TelegramWebviewProxy?.postEvent === "function" ||
    typeof w.external?.notify === "function" ||
    window.parent !== window
  );
}

function rawLaunchParams(): string | undefined {
  try {
    return retrieveRawLaunchParams();
  } catch {
    return undefined;
  }
}

/** Development only: launch parameters signed by the dev server (see scripts/devLaunchParams.ts). */
async function devLaunchParams(): Promise<{ raw?: string; detail?: string }> {
  const response = await fetch("/__dev/launch-params").catch(() => undefined);
  if (!response) return { detail: "the dev server did not answer" };
  const text = await response.text();
  return response.ok ? { raw: text } : { detail: text };
}

// ---- The imitated client: what Telegram would draw and answer, drawn and answered in the page.

export interface EmulatedChrome {
  back: boolean;
  main: { visible: boolean; text: string; active: boolean; progress: boolean };
}

let chrome: EmulatedChrome = {
  back: false,
  main: { visible: false, text: "", active: true, progress: false },
};
const chromeListeners = new Set<() => void>();
const setChrome = (next: EmulatedChrome) => {
  chrome = next;
  for (const listener of chromeListeners) listener();
};

export function useEmulatedChrome(): EmulatedChrome {
  return useSyncExternalStore(
    (listener) => {
      chromeListeners.add(listener);
      return () => chromeListeners.delete(listener);
    },
    () => chrome,
  );
}

export const pressEmulatedBack = () => emitEvent("back_button_pressed");
export const pressEmulatedMain = () => emitEvent("main_button_pressed");

function themeOf(raw: string): Record<string, `#${string}`> {
  try {
    return JSON.parse(new URLSearchParams(raw).get("tgWebAppThemeParams") ?? "{}");
  } catch {
    return {};
  }
}

function emulateClient(raw: string) {
  const theme = themeOf(raw);
  // Every call the app makes, for a developer's console and for the browser test.
  const calls: [string, unknown][] = [];
  (window as unknown as { __telegramCalls: typeof calls }).__telegramCalls = calls;
  return (event: [string, unknown]) => {
    const [method, params] = event;
    calls.push([method, params]);
    const p = (params ?? {}) as Record<string, unknown>;
    switch (method) {
      case "web_app_request_theme":
        setTimeout(() => emitEvent("theme_changed", { theme_params: theme }));
        break;
      case "web_app_request_viewport":
        setTimeout(() =>
          emitEvent("viewport_changed", {
            height: window.innerHeight,
            width: window.innerWidth,
            is_expanded: true,
            is_state_stable: true,
          }),
        );
        break;
      case "web_app_setup_back_button":
        setChrome({ ...chrome, back: Boolean(p.is_visible) });
        break;
      case "web_app_setup_main_button":
        setChrome({
          ...chrome,
          main: {
            visible: Boolean(p.is_visible),
            text: String(p.text ?? ""),
            active: p.is_active !== false,
            progress: Boolean(p.is_progress_visible),
          },
        });
        break;
      case "web_app_open_popup": {
        const buttons = (p.buttons ?? []) as { id?: string; type?: string }[];
        const message = [p.title, p.message].filter(Boolean).join("\n\n");
        const cancel = buttons.find((b) => b.type === "cancel" || b.type === "close");
        const confirmButton = buttons.find((b) => b !== cancel) ?? buttons[0];
        setTimeout(() => {
          let chosen = confirmButton;
          if (buttons.length > 1) chosen = window.confirm(message) ? confirmButton : cancel;
          else window.alert(message);
          emitEvent("popup_closed", { button_id: chosen?.id });
        });
        break;
      }
      case "web_app_open_tg_link":
        window.open(`https://t.me${String(p.path_full ?? "")}`, "_blank", "noopener");
        break;
      case "web_app_open_link":
        window.open(String(p.url ?? ""), "_blank", "noopener");
        break;
    }
  };
}

/** Starts the SDK. Outside Telegram the client is imitated, with the launch parameters in the
 *  URL (as Telegram passes them) or, in development, ones the dev server signs. */
export async function startTelegram(): Promise<Boot> {
  let raw = rawLaunchParams();
  const native = insideTelegram();
  if (!native) {
    if (!raw && import.meta.env.DEV) {
      const dev = await devLaunchParams();
      if (!dev.raw) return { ok: false, reason: "dev-unsigned", detail: dev.detail };
      raw = dev.raw;
    }
    if (!raw) return { ok: false, reason: "outside" };
    mockTelegramEnv({ launchParams: raw, onEvent: emulateClient(raw) });
  }
  try {
    init();
  } catch {
    return { ok: false, reason: "outside" };
  }
  backButton.mount.ifAvailable();
  mainButton.mount.ifAvailable();
  themeParams.mountSync.ifAvailable();
  if (!themeParams.isCssVarsBound()) themeParams.bindCssVars.ifAvailable();
  miniApp.mountSync.ifAvailable();
  if (!miniApp.isCssVarsBound()) miniApp.bindCssVars.ifAvailable();
  swipeBehavior.mount.ifAvailable();
  // Long forms scroll; a vertical swipe should scroll them, not close the app.
  swipeBehavior.disableVertical.ifAvailable();
  miniApp.ready.ifAvailable();
  const initData = retrieveRawInitData();
  if (!initData) return { ok: false, reason: "outside" };
  return { ok: true, initData, emulated: !native };
}

// ---- What the pages use.

export const haptic = {
  tap: () => void hapticFeedback.impactOccurred.ifAvailable("light"),
  select: () => void hapticFeedback.selectionChanged.ifAvailable(),
  success: () => void hapticFeedback.notificationOccurred.ifAvailable("success"),
  warning: () => void hapticFeedback.notificationOccurred.ifAvailable("warning"),
  error: () => void hapticFeedback.notificationOccurred.ifAvailable("error"),
};

/** A native confirmation popup (window.confirm outside Telegram). */
export async function confirmAction(
  message: string,
  ok: string,
  destructive = false,
): Promise<boolean> {
  haptic.warning();
  if (!popup.open.isAvailable()) return window.confirm(message);
  const id = await popup.open({
    message: message.slice(0, 256),
    buttons: [
      { id: "ok", type: destructive ? "destructive" : "default", text: ok },
      { type: "cancel" },
    ],
  });
  return id === "ok";
}

export async function copyText(text: string): Promise<void> {
  await copyTextToClipboard(text);
  haptic.success();
}

/**
 * Hands a file at `path` on this server to Telegram's download prompt; older clients open it in
 * the browser, and outside Telegram the browser downloads it.
 */
export async function downloadFromServer(path: string, fileName: string): Promise<void> {
  const url = new URL(path, window.location.origin).href;
  if (downloadFile.isAvailable()) await downloadFile(url, fileName);
  else if (openLink.isAvailable()) openLink(url);
  else window.open(url, "_blank", "noopener");
}

export function openInTelegram(url: string): void {
  if (openTelegramLink.isAvailable()) openTelegramLink(url);
  else window.open(url, "_blank", "noopener");
}

/** Shows the Back Button while `onBack` is given. */
export function useBackButton(onBack: (() => void) | undefined): void {
  const handler = useRef(onBack);
  handler.current = onBack;
  const visible = onBack !== undefined;
  useEffect(() => {
    if (!visible) {
      backButton.hide.ifAvailable();
      return;
    }
    backButton.show.ifAvailable();
    const subscription = backButton.onClick.ifAvailable(() => handler.current?.());
    return () => {
      if (subscription[0]) subscription[1]();
    };
  }, [visible]);
}

export interface MainButtonOptions {
  text: string;
  onClick: () => void;
  enabled?: boolean;
  loading?: boolean;
}

/** Shows the Main Button while options are given; hides it when the page goes. */
export function useMainButton(options: MainButtonOptions | null): void {
  const handler = useRef(options?.onClick);
  handler.current = options?.onClick;
  const visible = options !== null;
  const text = options?.text ?? "";
  const enabled = options?.enabled ?? true;
  const loading = options?.loading ?? false;
  useEffect(() => {
    if (!visible) return;
    const subscription = mainButton.onClick.ifAvailable(() => {
      if (!mainButton.isEnabled()) return;
      handler.current?.();
    });
    return () => {
      if (subscription[0]) subscription[1]();
      mainButton.setParams.ifAvailable({ isVisible: false, isLoaderVisible: false });
    };
  }, [visible]);
  useEffect(() => {
    if (!visible) return;
    mainButton.setParams.ifAvailable({
      text,
      isVisible: true,
      isEnabled: enabled && !loading,
      isLoaderVisible: loading,
    });
  }, [visible, text, enabled, loading]);
}
