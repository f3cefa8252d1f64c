// Entry point: start Telegram's SDK (or imitate the client outside Telegram), then the app.
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.tsx";
import { setInitData } from "./api.ts";
import { setLanguage, t } from "./i18n/translate.ts";
import { startTelegram } from "./telegram.ts";
// In this order: later files may override earlier ones.
import "./styles/theme.css";
import "./styles/forms.css";
import "./styles/steps.css";
import "./styles/charts.css";
import "./styles/states.css";
import "./styles/emulated.css";

const container = document.getElementById("root");
if (!container) throw new Error("index.html has no #root");
const root = createRoot(container);

startTelegram().then(
  (boot) => {
    if (!boot.ok) {
      setLanguage(navigator.language);
      root.render(
        <div className="gate" data-testid="gate">
          <h1>touchchains</h1>
          <p>{t("openFromBot")}</p>
          {boot.detail ? <p className="hint">{boot.detail}</p> : null}
        </div>,
      );
      return;
    }
    setInitData(boot.initData);
    root.render(
      <StrictMode>
        <App emulated={boot.emulated} />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(<pre className="gate">{String(error)}</pre>);
  },
);
