// The shapes of the Mini App API (miniapp/API.md), as the web app reads and writes them.

export type Role = "owner" | "manager";
export const STAGES = ["awareness", "interest", "choice", "purchase", "loyalty"] as const;
export type Stage = (typeof STAGES)[number];

export interface Me {
  user: {
    id: number;
    firstName: string;
    lastName?: string;
    username?: string;
    languageCode?: string;
  };
  role: Role;
}

export interface HotLead {
  subscriberId: number;
  name: string | null;
  username: string | null;
  score: number;
  reason: string | null;
  status: string;
  takenByName: string | null;
  createdAt: string;
}

export interface Dashboard {
  today: { leads: number; hotLeads: number };
  conversion: { enrolled: number; converted: number; rate: number };
  revenue: number | string;
  series: { day: string; leads: number; converted: number; revenue: number | string }[];
  hotLeads: HotLead[];
}

export type Unit = "minutes" | "hours" | "days";
export interface Wait {
  after?: { amount: number; unit: Unit };
  at?: string;
  weekdays?: number[];
}

export type Button =
  | { kind: "url"; text: string; url: string }
  | { kind: "goal"; text: string }
  | { kind: "hot"; text: string }
  | { kind: "tag"; text: string; tag: string }
  | { kind: "reply"; text: string; value: string };
export type ButtonKind = Button["kind"];

export interface Media {
  kind: "photo" | "document" | "video";
  file: string;
}

export interface Message {
  text: string;
  media?: Media;
  buttons?: Button[][];
}

export type Condition =
  | { kind: "clicked"; step?: string; not?: boolean }
  | { kind: "tag"; tag: string; not?: boolean }
  | { kind: "segment"; segment: string; not?: boolean }
  | {
      kind: "field";
      field: string;
      op: "equals" | "contains" | "exists";
      value?: string;
      not?: boolean;
    };
export type ConditionKind = Condition["kind"];

export interface StepCondition {
  all: Condition[];
  otherwise?: { action: "skip" } | { action: "goto"; step: string };
}

export interface Step {
  key: string;
  name?: string;
  wait?: Wait;
  message: Message;
  condition?: StepCondition;
  important?: boolean;
  stage?: Stage;
}

export type Trigger =
  | { kind: "lead_magnet" }
  | { kind: "manual" }
  | { kind: "event"; event: string; where?: Record<string, string | number | boolean> }
  | { kind: "tag_added"; tag: string }
  | { kind: "segment"; segment: string }
  | { kind: "inactivity"; days: number }
  | { kind: "date"; field: string; daysBefore?: number; at?: string };
export type TriggerKind = Trigger["kind"];

export type Reentry =
  | { policy: "once" }
  | { policy: "after_days"; days: number }
  | { policy: "always" };

export interface ChainSpec {
  slug: string;
  name: string;
  description?: string;
  enabled?: boolean;
  stage?: Stage;
  trigger?: Trigger;
  reentry?: Reentry;
  exit?: { goalTags?: string[]; goalEvents?: string[]; maxTouches?: number; maxDays?: number };
  steps: Step[];
}

export interface ChainListItem {
  id: number;
  slug: string;
  name: string;
  enabled: boolean;
  stage: Stage | null;
  trigger: Trigger | TriggerKind | null;
  steps: number;
  running: number;
  version: number;
}

export interface ChainDetail {
  id: number;
  version: number;
  running: number;
  spec: ChainSpec;
}

export interface TimelineEntry {
  key: string;
  at: string;
  due: string;
  /** What lets it go: nothing in the way, the reply window after joining, or an important step. */
  rule: "open" | "reply_window" | "important";
}

export type QuestionKind = "name" | "phone" | "email" | "text" | "choice";
export interface Question {
  key: string;
  kind: QuestionKind;
  prompt: string;
  required?: boolean;
  maxLength?: number;
  options?: { value: string; label: string; tag?: string }[];
}

export interface LeadMagnetSpec {
  slug: string;
  title: string;
  chain?: string;
  isDefault?: boolean;
  intro?: string;
  consent?: string;
  questions: Question[];
  deliverable: Message;
}

export interface LeadMagnetListItem {
  id: number;
  slug: string;
  title: string;
  chain: string | null;
  isDefault: boolean;
  questions: number;
}

export interface LeadMagnetDetail {
  spec: LeadMagnetSpec;
  links: { source: string; url: string }[];
}

export interface SubscriberItem {
  id: number;
  telegramId: number;
  name: string | null;
  username: string | null;
  phone: string | null;
  email: string | null;
  status: string;
  source: string | null;
  tags: string[];
  leadScore: number | null;
  createdAt: string;
}

export interface SubscriberPage {
  total: number;
  items: SubscriberItem[];
}

export interface SubscriberDetail {
  profile: SubscriberItem & {
    fields?: Record<string, unknown>;
    answers?: Record<string, unknown>;
    timezone?: string | null;
  };
  enrollments: {
    id: number;
    chain: string;
    status: string;
    endReason: string | null;
    enrolledAt: string;
    nextDueAt: string | null;
  }[];
  timeline: {
    at: string;
    kind: "event" | "touch";
    type: string;
    chain: string | null;
    step: string | null;
    detail: unknown;
  }[];
}

export interface Segment {
  id: number;
  slug: string;
  name: string;
  description?: string;
  members: number;
}

export interface Broadcast {
  id: number;
  name: string;
  segment: string | null;
  scheduledAt: string | null;
  recipients: number;
  sent: number;
  pending: number;
  failed: number;
  cancelled: number;
  clicked: number;
  cancelledAt: string | null;
}

export interface Policy {
  dailyCap: number;
  quietHours: { start: string; end: string } | null;
  minPauseMinutes: number;
  replyWindowMinutes: number;
}

export interface LeadSettings {
  weights: Record<string, number>;
  threshold: number;
  windowDays: number;
  alertWindowHours: number;
  pauseChains: boolean;
  pauseHours: number;
  managerChatId: number | null;
  language: "ru" | "en";
}

export interface Settings {
  policy: Policy;
  leads: LeadSettings;
}

export interface Admin {
  telegramId: number;
  role: Role;
  name: string | null;
}

export interface ChainAnalytics {
  chain: { id: number; slug: string; name: string };
  enrolled: number;
  converted: number;
  conversionRate: number;
  revenue: number | string;
  exited: Record<string, number>;
  steps: {
    key: string;
    name: string | null;
    stage: Stage | null;
    removed?: boolean;
    reached: number;
    clicked: number;
    dropOff: number;
  }[];
  bySource: {
    source: string | null;
    enrolled: number;
    converted: number;
    revenue: number | string;
  }[];
  byDay: { day: string; enrolled: number; converted: number; revenue: number | string }[];
}

export interface Journey {
  stages: { stage: Stage; reached: number; lost: number }[];
}

export interface Problem {
  path: string;
  message: string;
}
