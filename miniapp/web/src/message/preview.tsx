// A message as Telegram will show it: the bubble with media and text, and its buttons under it.
import { t } from "../i18n/translate.ts";
import type { Media, Message, Button as MessageButton } from "../types.ts";
import { fillPlaceholders, TelegramHtml } from "./html.tsx";
import type { Sample } from "./sample.ts";

/** The live preview beside every message editor. */
export function MessagePreview(props: { message: Message; sample: Sample; testId?: string }) {
  const { message } = props;
  const media = message.media;
  return (
    <div className="chat" data-testid={props.testId ?? "preview"}>
      <div className="bubble-wrap">
        <div className="bubble">
          {media ? <MediaPreview media={media} /> : null}
          {message.text.trim() ? (
            <div className="bubble-text">
              <TelegramHtml html={fillPlaceholders(message.text, props.sample)} />
            </div>
          ) : (
            <div className="bubble-text hint">{t("emptyText")}</div>
          )}
        </div>
        {message.buttons?.map((row, r) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
          <div className="kb-row" key={r}>
            {row.map((button, c) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: neither do buttons
              <span className="kb-button" key={c} title={buttonTitle(button)}>
                {button.text || "…"}
                {button.kind === "url" ? <span className="kb-corner">↗</span> : null}
              </span>
            ))}
          </div>
        ))}
      </div>
    </div>
  );
}

function buttonTitle(button: MessageButton): string {
  switch (button.kind) {
    case "url":
      return button.url;
    case "tag":
      return `${t("button_tag")}: ${button.tag}`;
    case "reply":
      return `${t("button_reply")}: ${button.value}`;
    case "move":
      return `${t("button_move")}: ${button.chain}${button.step ? ` / ${button.step}` : ""}`;
    default:
      return t(`button_${button.kind}`);
  }
}

function MediaPreview({ media }: { media: Media }) {
  if (media.kind === "photo" && /^https:\/\//.test(media.file)) {
    return <img className="bubble-media" src={media.file} alt="" referrerPolicy="no-referrer" />;
  }
  return (
    <div className="bubble-file">
      {media.kind === "photo" ? "🖼" : media.kind === "video" ? "🎬" : "📄"}{" "}
      {media.file.split("/").pop() || t(`media_${media.kind}`)}
    </div>
  );
}
