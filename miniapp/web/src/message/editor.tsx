// Editing a message: text with a formatting bar, optional media, and rows of buttons; the server's
// message for each part appears under it.
import { useRef } from "react";
import { t } from "../i18n/translate.ts";
import type { ButtonKind, Media, Message, Button as MessageButton } from "../types.ts";
import { Button, Field, Input, Select } from "../ui/controls.tsx";
import type { Sample } from "./sample.ts";

const FORMATS: [string, string, string][] = [
  ["B", "<b>", "</b>"],
  ["I", "<i>", "</i>"],
  ["U", "<u>", "</u>"],
  ["S", "<s>", "</s>"],
  ["</>", "<code>", "</code>"],
  ["link", '<a href="https://">', "</a>"],
  ["{{ }}", "{{first_name|", "}}"],
];

function emptyButton(kind: ButtonKind, text = ""): MessageButton {
  switch (kind) {
    case "url":
      return { kind, text, url: "https://" };
    case "tag":
      return { kind, text, tag: "" };
    case "reply":
      return { kind, text, value: "" };
    case "move":
      return { kind, text, chain: "" };
    default:
      return { kind, text };
  }
}

/** Text with a formatting bar, optional media, and rows of buttons; errors under each field. */
export function MessageEditor(props: {
  message: Message;
  onChange: (message: Message) => void;
  path: string;
  sample: Sample;
  buttonKinds?: ButtonKind[];
  testId?: string;
}) {
  const { message, onChange, path } = props;
  const text = useRef<HTMLTextAreaElement>(null);
  const kinds = props.buttonKinds ?? ["url", "goal", "hot", "tag", "reply", "move"];
  const kindOptions = kinds.map((k) => [k, t(`button_${k}`)] as const);
  const rows = message.buttons ?? [];

  const wrap = (open: string, close: string) => {
    const area = text.current;
    const start = area?.selectionStart ?? message.text.length;
    const end = area?.selectionEnd ?? message.text.length;
    const value = message.text;
    onChange({
      ...message,
      text: value.slice(0, start) + open + value.slice(start, end) + close + value.slice(end),
    });
    requestAnimationFrame(() => {
      area?.focus();
      area?.setSelectionRange(start + open.length, end + open.length);
    });
  };

  const setRows = (next: MessageButton[][]) => {
    const kept = next.filter((row) => row.length > 0);
    const { buttons: _, ...rest } = message;
    onChange(kept.length > 0 ? { ...rest, buttons: kept } : rest);
  };
  const setButton = (r: number, c: number, button: MessageButton) =>
    setRows(rows.map((row, i) => (i === r ? row.map((b, j) => (j === c ? button : b)) : row)));

  const setMedia = (media: Media | undefined) => {
    const { media: _, ...rest } = message;
    onChange(media ? { ...rest, media } : rest);
  };

  return (
    <div className="message-editor" data-testid={props.testId}>
      <Field label={t("text")} path={`${path}.text`} hint={t("textHint")}>
        {(id) => (
          <>
            <div className="format-bar">
              {FORMATS.map(([label, open, close]) => (
                <button type="button" key={label} onClick={() => wrap(open, close)}>
                  {label}
                </button>
              ))}
            </div>
            <textarea
              id={id}
              ref={text}
              rows={5}
              value={message.text}
              data-testid="message-text"
              onChange={(e) => onChange({ ...message, text: e.target.value })}
            />
          </>
        )}
      </Field>
      <div className="row-2">
        <Field label={t("media")} path={`${path}.media.kind`}>
          {(id) => (
            <Select
              id={id}
              value={message.media?.kind ?? "none"}
              options={[
                ["none", t("media_none")],
                ["photo", t("media_photo")],
                ["document", t("media_document")],
                ["video", t("media_video")],
              ]}
              onChange={(kind) =>
                setMedia(kind === "none" ? undefined : { kind, file: message.media?.file ?? "" })
              }
            />
          )}
        </Field>
        {message.media ? (
          <Field label={t("mediaFile")} path={`${path}.media.file`}>
            {(id) => (
              <Input
                id={id}
                value={message.media?.file ?? ""}
                placeholder="https://… / file_id"
                onChange={(file) => setMedia({ kind: message.media?.kind ?? "photo", file })}
              />
            )}
          </Field>
        ) : null}
      </div>
      <Field label={t("buttons")} path={`${path}.buttons`}>
        {() => (
          <div className="button-rows">
            {rows.map((row, r) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
              <div className="button-row" key={r}>
                {row.map((button, c) => (
                  <ButtonEditor
                    // biome-ignore lint/suspicious/noArrayIndexKey: neither do buttons
                    key={c}
                    button={button}
                    path={`${path}.buttons[${r}][${c}]`}
                    kinds={kindOptions}
                    onChange={(b) => setButton(r, c, b)}
                    onRemove={() =>
                      setRows(rows.map((x, i) => (i === r ? x.filter((_, j) => j !== c) : x)))
                    }
                  />
                ))}
                <Button
                  small
                  onClick={() =>
                    setRows(
                      rows.map((x, i) => (i === r ? [...x, emptyButton(kinds[0] ?? "url")] : x)),
                    )
                  }
                >
                  {t("addToRow")}
                </Button>
              </div>
            ))}
            <Button
              small
              testId="add-button-row"
              onClick={() => setRows([...rows, [emptyButton(kinds[0] ?? "url")]])}
            >
              {t("addButtonRow")}
            </Button>
          </div>
        )}
      </Field>
    </div>
  );
}

function ButtonEditor(props: {
  button: MessageButton;
  path: string;
  kinds: (readonly [ButtonKind, string])[];
  onChange: (button: MessageButton) => void;
  onRemove: () => void;
}) {
  const { button, path, onChange } = props;
  return (
    <div className="button-editor">
      <div className="row-2">
        <Field label={t("buttonKind")} path={`${path}.kind`}>
          {(id) => (
            <Select
              id={id}
              value={button.kind}
              options={props.kinds}
              onChange={(kind) => onChange(emptyButton(kind, button.text))}
            />
          )}
        </Field>
        <Field label={t("buttonText")} path={`${path}.text`}>
          {(id) => (
            <Input id={id} value={button.text} onChange={(text) => onChange({ ...button, text })} />
          )}
        </Field>
      </div>
      {button.kind === "url" ? (
        <Field label="URL" path={`${path}.url`}>
          {(id) => (
            <Input
              id={id}
              type="url"
              value={button.url}
              onChange={(url) => onChange({ ...button, url })}
            />
          )}
        </Field>
      ) : null}
      {button.kind === "tag" ? (
        <Field label={t("tag")} path={`${path}.tag`}>
          {(id) => (
            <Input id={id} value={button.tag} onChange={(tag) => onChange({ ...button, tag })} />
          )}
        </Field>
      ) : null}
      {button.kind === "reply" ? (
        <Field label={t("replyValue")} path={`${path}.value`}>
          {(id) => (
            <Input
              id={id}
              value={button.value}
              onChange={(value) => onChange({ ...button, value })}
            />
          )}
        </Field>
      ) : null}
      {button.kind === "move" ? (
        <div className="row-2">
          <Field label={t("moveChain")} path={`${path}.chain`}>
            {(id) => (
              <Input
                id={id}
                value={button.chain}
                onChange={(chain) => onChange({ ...button, chain })}
              />
            )}
          </Field>
          <Field label={t("moveStep")} path={`${path}.step`}>
            {(id) => (
              <Input
                id={id}
                value={button.step ?? ""}
                onChange={(step) => onChange({ ...button, step: step || undefined })}
              />
            )}
          </Field>
        </div>
      ) : null}
      <Button small kind="danger" onClick={props.onRemove}>
        {t("removeButton")}
      </Button>
    </div>
  );
}
