// What the bot itself says, in Russian and English; owners' content is never translated.
export type Lang = "ru" | "en";

const RUSSIAN_SPEAKING = new Set(["ru", "uk", "be", "kk", "ky", "uz", "tg", "hy", "az"]);

/** Russian for the languages whose speakers usually read it; English for everyone else. */
export function langOf(languageCode: string | null | undefined): Lang {
  const base = (languageCode ?? "").toLowerCase().split("-")[0] ?? "";
  return RUSSIAN_SPEAKING.has(base) ? "ru" : "en";
}

const messages = {
  welcome: {
    ru: "Здравствуйте! Рады видеть вас здесь. Скоро пришлём полезные материалы.",
    en: "Hello! Glad to see you here. Useful materials are on their way.",
  },
  consent: {
    ru: "Отвечая, вы соглашаетесь, что мы сохраним ваши контакты и будем писать вам здесь. Отписаться можно в любой момент командой /stop.",
    en: "By answering you agree that we keep your contacts and write to you here. You can unsubscribe at any time with /stop.",
  },
  skipHint: {
    ru: "Можно пропустить: /skip",
    en: "You may skip this: /skip",
  },
  skipButton: { ru: "Пропустить", en: "Skip" },
  shareContactButton: { ru: "📱 Отправить мой номер", en: "📱 Share my number" },
  reaskName: {
    ru: "Пожалуйста, напишите имя текстом (до 64 символов).",
    en: "Please type your name as text (up to 64 characters).",
  },
  reaskPhone: {
    ru: "Это не похоже на номер телефона. Нажмите кнопку ниже или напишите номер с кодом страны, например +7 912 345-67-89.",
    en: "That does not look like a phone number. Tap the button below or type it with the country code, e.g. +44 7700 900123.",
  },
  reaskOwnContact: {
    ru: "Пожалуйста, отправьте свой номер, а не чужой контакт.",
    en: "Please share your own number, not someone else's contact.",
  },
  reaskEmail: {
    ru: "Это не похоже на адрес почты. Напишите его в виде name@example.com.",
    en: "That does not look like an e-mail address. Please type it as name@example.com.",
  },
  reaskDate: {
    ru: "Не получилось прочитать дату. Напишите её так: 17.05.1990, 17.05 или 17 мая.",
    en: "I could not read that date. Please write it as 17.05.1990, 17.05 or 17 May.",
  },
  reaskTimezone: {
    ru: "Не нашёл такой город. Нажмите кнопку или напишите город или разницу с UTC, например «Новосибирск» или «UTC+7».",
    en: "I could not find that place. Press a button, or type your city or UTC offset, e.g. “Berlin” or “UTC+1”.",
  },
  reaskChoice: {
    ru: "Пожалуйста, выберите один из вариантов кнопкой.",
    en: "Please pick one of the options with a button.",
  },
  reaskText: {
    ru: "Пожалуйста, ответьте текстом (до {max} символов).",
    en: "Please answer with text (up to {max} characters).",
  },
  required: {
    ru: "Без этого ответа не получится продолжить. Отменить: /cancel",
    en: "This answer is needed to continue. To leave: /cancel",
  },
  cancelled: {
    ru: "Хорошо, остановились. Вернуться можно в любой момент командой /start.",
    en: "All right, stopped. Come back any time with /start.",
  },
  nothingToCancel: { ru: "Сейчас нечего отменять.", en: "There is nothing to cancel." },
  stopped: {
    ru: "Вы отписались: больше никаких сообщений. Если передумаете, нажмите /start.",
    en: "You are unsubscribed: no more messages. If you change your mind, send /start.",
  },
  welcomeBack: {
    ru: "С возвращением! Вы снова подписаны.",
    en: "Welcome back! You are subscribed again.",
  },
  adminOpen: { ru: "Панель управления:", en: "Control panel:" },
  adminButton: { ru: "Открыть панель", en: "Open the panel" },
  adminNoUrl: {
    ru: "Панель откроется, когда будет задан PUBLIC_URL (https-адрес сервера).",
    en: "The panel opens once PUBLIC_URL (the server's https address) is set.",
  },
  unknownCommand: {
    ru: "Такой команды нет. /start — начать, /stop — отписаться, /forget — удалить мои данные.",
    en: "Unknown command. /start to begin, /stop to unsubscribe, /forget to delete your data.",
  },
  pressNoted: { ru: "✓ Принято", en: "✓ Noted" },
  hotThanks: {
    ru: "Спасибо! Менеджер скоро свяжется с вами.",
    en: "Thank you! A manager will be in touch soon.",
  },
  groupLinked: {
    ru: "Готово: карточки горячих лидов и сообщения клиентов будут приходить в эту группу.",
    en: "Done: hot-lead cards and messages from leads will come to this group.",
  },
  linkOwnersOnly: {
    ru: "Привязать группу может только владелец.",
    en: "Only an owner can link a group.",
  },
  leadOnlyManagers: {
    ru: "Карточками управляют только менеджеры и владельцы. Ничего не изменилось.",
    en: "Only managers and owners act on cards. Nothing has changed.",
  },
  leadYours: { ru: "Лид ваш!", en: "The lead is yours!" },
  leadTakenBy: {
    ru: "Этого лида уже взял(а) {name}. Спасибо за готовность помочь!",
    en: "{name} has already taken this lead. Thanks for offering!",
  },
  leadNotYours: {
    ru: "Этим лидом занимается {name}: закрыть его может он(а) или владелец.",
    en: "{name} is handling this lead: they or an owner can close it.",
  },
  leadClosed: { ru: "Этот лид уже закрыт.", en: "This lead is already closed." },
  leadWon: { ru: "Отмечено: продажа.", en: "Marked as won." },
  leadLost: { ru: "Отмечено: отказ.", en: "Marked as lost." },
  leadSaid: { ru: "💬 {name} пишет:", en: "💬 {name} writes:" },
  replyUndelivered: {
    ru: "Не доставлено: клиент заблокировал бота или удалил чат.",
    en: "Not delivered: the lead blocked the bot or deleted the chat.",
  },
  webhookPaused: {
    ru: "Вебхук «{name}» приостановлен: получатель долго не принимает события. Они ждут в очереди. Проверьте адрес и включите вебхук снова в мини-приложении (Настройки).",
    en: "Webhook “{name}” is paused: its receiver has been failing for a while. Its events wait in the queue. Check the URL, then turn the webhook on again in the Mini App (Settings).",
  },
  crmLeadTitle: { ru: "Заявка из Telegram: {magnet}", en: "Telegram lead: {magnet}" },
  crmHot: {
    ru: "🔥 Горячий лид в Telegram (счёт {score}).",
    en: "🔥 Hot lead in Telegram (score {score}).",
  },
  crmHotTask: {
    ru: "Связаться с горячим лидом из Telegram",
    en: "Contact a hot lead from Telegram",
  },
  crmWon: {
    ru: "✅ Менеджер отметил продажу в Telegram.",
    en: "✅ A manager marked this lead won in Telegram.",
  },
  crmLost: {
    ru: "❌ Менеджер отметил отказ в Telegram.",
    en: "❌ A manager marked this lead lost in Telegram.",
  },
  crmEvent: { ru: "Событие в Telegram: {type}.", en: "Telegram event: {type}." },
  commandStart: { ru: "Начать", en: "Start" },
  commandStop: { ru: "Отписаться от сообщений", en: "Unsubscribe from messages" },
  commandCancel: { ru: "Прервать опрос", en: "Leave the questionnaire" },
  commandForget: { ru: "Удалить мои данные", en: "Delete my data" },
  forgetAsk: {
    ru: "Удалить ваши данные? Мы сотрём имя, имя пользователя, телефон, e-mail, ответы, поля, метки и тексты ваших сообщений, и больше не будем вам писать. Отменить удаление будет нельзя. Пока вы не нажмёте «Удалить», ничего не удаляется.",
    en: "Delete your data? We will erase your name, username, phone, e-mail, answers, fields, tags and the texts of your messages, and stop writing to you. This cannot be undone. Nothing is deleted until you press Delete.",
  },
  forgetYes: { ru: "Удалить", en: "Delete" },
  forgetNo: { ru: "Не удалять", en: "Keep my data" },
  forgetKept: { ru: "Хорошо, ничего не удалено.", en: "All right, nothing was deleted." },
  forgetExpired: {
    ru: "Это подтверждение устарело, ничего не удалено. Чтобы удалить данные, отправьте /forget ещё раз.",
    en: "This confirmation has expired, nothing was deleted. To delete your data, send /forget again.",
  },
  forgetNothing: {
    ru: "У нас нет ваших данных: удалять нечего.",
    en: "We keep no data about you: there is nothing to delete.",
  },
  forgetDone: {
    ru: "Готово, ваши данные удалены: {what}. Подписки завершены ({chains}), запланированные сообщения отменены ({touches}). Мы больше не напишем. Если вернётесь через /start, мы познакомимся заново.",
    en: "Done, your data is deleted: {what}. Subscriptions ended ({chains}), planned messages cancelled ({touches}). We will not write again. If you come back with /start, we start afresh.",
  },
  forgetProfile: { ru: "имя и имя пользователя", en: "name and username" },
  forgetContacts: { ru: "контакты", en: "contacts" },
  forgetAnswers: { ru: "ответы ({n})", en: "answers ({n})" },
  forgetFields: { ru: "поля ({n})", en: "fields ({n})" },
  forgetTags: { ru: "метки ({n})", en: "tags ({n})" },
  forgetMessages: { ru: "тексты сообщений ({n})", en: "message texts ({n})" },
  forgetTelegramId: { ru: "ваш Telegram id", en: "your Telegram id" },
  unsubscribeButton: { ru: "Отписаться", en: "Unsubscribe" },
  stopSeriesButton: { ru: "Остановить эту серию", en: "Stop this series" },
  seriesStopped: {
    ru: "Эта серия остановлена, других сообщений это не касается. Отписаться от всего: /stop.",
    en: "This series is stopped; other messages are not affected. To unsubscribe from everything: /stop.",
  },
  alreadyStopped: { ru: "Уже остановлено.", en: "Already stopped." },
} as const;

export type MessageKey = keyof typeof messages;

export function t(
  lang: Lang,
  key: MessageKey,
  params: Record<string, string | number> = {},
): string {
  return messages[key][lang].replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}
