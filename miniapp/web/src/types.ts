// Names for the API's shapes the pages use. None is written out here: each is read off the typed
// client, so it is whatever the server's route and the db's spec say it is.
import type { FieldProblem } from "../../../db/validation.ts";
import type { api } from "./api.ts";

type Api = typeof api;
/** What a call of the client resolves to. */
type Answer<K extends keyof Api> = Awaited<ReturnType<Api[K]>>;
/** The first argument of a call of the client: the body it sends. */
type Sent<K extends keyof Api> = Parameters<Api[K]>[0];

/** A field the server refused, by its path in the body ("steps[0].message.text"). */
export type Problem = FieldProblem;

export type Me = Answer<"me">;
export type Dashboard = Answer<"dashboard">;

// A chain as the editor holds it: the body POST and PUT /api/chains take (defaults may be left
// out), which is also what GET answers with every default filled in.
export type ChainSpec = Sent<"createChain">;
export type Step = ChainSpec["steps"][number];
export type Stage = NonNullable<ChainSpec["stage"]>;
export type Trigger = NonNullable<ChainSpec["trigger"]>;
export type TriggerKind = Trigger["kind"];
export type Reentry = NonNullable<ChainSpec["reentry"]>;
export type Unit = NonNullable<NonNullable<Step["wait"]>["after"]>["unit"];
export type Condition = NonNullable<Step["condition"]>["all"][number];
export type ConditionKind = Condition["kind"];
export type ChainListItem = Answer<"chains">[number];
export type ChainDetail = Answer<"chain">;
export type TimelineEntry = Answer<"timeline">[number];
export type TimelineBranch = Answer<"timelineTree">;

export type Message = Step["message"];
export type Button = NonNullable<Message["buttons"]>[number][number];
export type ButtonKind = Button["kind"];
export type Media = NonNullable<Message["media"]>;

export type LeadMagnetSpec = Sent<"createLeadMagnet">;
export type Question = NonNullable<LeadMagnetSpec["questions"]>[number];
export type QuestionKind = Question["kind"];
export type LeadMagnetDetail = Answer<"leadMagnet">;

export type SubscriberPage = Answer<"subscribers">;
export type SubscriberItem = SubscriberPage["items"][number];

export type Broadcast = Answer<"broadcasts">[number];

export type Settings = Answer<"settings">;
export type Policy = Settings["policy"];
export type LeadSettings = Settings["leads"];
export type Admin = Answer<"admins">[number];
export type Webhook = Answer<"webhooks">[number];
export type WebhookDelivery = Answer<"webhookDeliveries">[number];
export type NewWebhook = Sent<"addWebhook">;

export type ChainAnalytics = Answer<"chainAnalytics">;
export type Journey = Answer<"journey">;
