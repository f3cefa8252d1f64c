// A short message at the bottom of the screen after an action: saved, sent, or what went wrong.
import { createContext, type ReactNode, useCallback, useContext, useEffect, useState } from "react";

const ToastContext = createContext<(text: string, kind?: "ok" | "error") => void>(() => {});
/** Shows a toast; "error" ones are drawn in red. */
export const useToast = () => useContext(ToastContext);

/** Holds the one toast on screen; it goes by itself after a moment. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toast, setToast] = useState<{ text: string; kind: "ok" | "error"; id: number }>();
  const show = useCallback((text: string, kind: "ok" | "error" = "ok") => {
    setToast({ text, kind, id: Date.now() });
  }, []);
  useEffect(() => {
    if (!toast) return;
    const timer = setTimeout(() => setToast(undefined), 2500);
    return () => clearTimeout(timer);
  }, [toast]);
  return (
    <ToastContext.Provider value={show}>
      {children}
      {toast ? (
        <div className={`toast toast-${toast.kind}`} role="status" data-testid="toast">
          {toast.text}
        </div>
      ) : null}
    </ToastContext.Provider>
  );
}
