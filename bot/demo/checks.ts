// The database's figures against the simulation's own record of what it did: every difference is named.
import type { ChainFunnel, RevenueTotals, SourceFunnel } from "../../db/analytics/funnels.ts";
import { amountIn, type Money } from "../../db/analytics/money.ts";
import type { MoveTotals } from "../../db/analytics/moves.ts";
import type { PressOutcomes } from "../../db/analytics/pressOutcomes.ts";
import type { SimulationRecord } from "./prospects/record.ts";

export interface Figures {
  chains: ChainFunnel[];
  sources: SourceFunnel[];
  totals: RevenueTotals;
  events: Record<string, number>;
  clicks: Record<string, number>;
  conversions: Record<string, number>;
  touches: Record<string, number>;
  moves: MoveTotals;
  /** Presses recorded on touch buttons, by "kind:touchId". */
  pressesByTouch: Map<string, number>;
  pressOutcomes: PressOutcomes;
}

export interface Check {
  name: string;
  ok: boolean;
  /** The agreed figure, or what differs, one line each. */
  detail: string[];
}

/** Decimal string to cents, exactly. */
export function cents(amount: string): number {
  const [whole = "0", fraction = ""] = amount.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0").slice(0, 2));
}

const money = (c: number) => (c / 100).toFixed(2);

/** Cents in the run's currency: every purchase the simulation makes is in it. */
const centsOf = (list: Money[], currency: string) => cents(amountIn(list, currency));

/** The names either side knows, in order: what only one side has is compared with zero. */
const union = (database: string[], simulation: string[]) =>
  [...new Set([...database, ...simulation])].sort();

/** One figure: the database's and the simulation's must be equal. */
function same(
  name: string,
  database: number,
  simulation: number,
  show: (n: number) => string = String,
): Check {
  return database === simulation
    ? { name, ok: true, detail: [show(database)] }
    : {
        name,
        ok: false,
        detail: [`database ${show(database)}, simulation ${show(simulation)}`],
      };
}

/** Many figures at once, by name: every one must be equal; the differing ones are listed. */
function sameEach(
  name: string,
  pairs: { label: string; database: number; simulation: number }[],
  show: (n: number) => string = String,
): Check {
  const differing = pairs.filter((p) => p.database !== p.simulation);
  return {
    name: `${name} (${pairs.length})`,
    ok: differing.length === 0,
    detail: differing.map(
      (p) => `${p.label}: database ${show(p.database)}, simulation ${show(p.simulation)}`,
    ),
  };
}

export interface CheckOptions {
  /** Log lines at level error or worse from the bot. */
  botErrors: string[];
  /** Chains whose every enrollment the simulation caused and counted. */
  countable: (slug: string) => boolean;
  /** "chain/key" of the A/B steps: each person who got one drew its variant once. */
  splitSteps: string[];
  /** The currency of every purchase the simulation makes. */
  currency: string;
}

export function checkFigures(
  figures: Figures,
  record: SimulationRecord,
  options: CheckOptions,
): Check[] {
  const { botErrors } = options;
  const { chains, sources, totals, events, clicks, conversions, touches, moves } = figures;
  const count = (type: string) => events[type] ?? 0;
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const checks: Check[] = [];

  checks.push(
    same("prospects who started", sum(sources.map((s) => s.subscribers)), record.started),
  );
  checks.push(same("questionnaires finished", count("magnet_delivered"), record.finished));
  // The simulation knows which chains its magnets and events started; tags, segments, dates and
  // quiet spells start chains without telling it, so those are left out.
  const { pressOutcomes } = figures;
  const countable = union(
    chains.map((c) => c.slug),
    [...record.enrolled.keys()],
  ).filter(options.countable);
  checks.push(
    sameEach(
      "enrollments per chain started by magnets and events",
      countable.map((slug) => {
        const chain = chains.find((c) => c.slug === slug);
        // A move button brings people in, or starts the chain afresh when pressed after the
        // enrollment ended, without the simulation starting the chain itself.
        const byMoves = (moves.movedIn[slug] ?? 0) + (pressOutcomes.startedByMove[slug] ?? 0);
        return {
          label: slug,
          database: chain ? chain.enrolled - byMoves : 0,
          simulation: record.enrolled.get(slug) ?? 0,
        };
      }),
    ),
  );

  // Messages are told apart by the touch that holds the message id Telegram returned, so every
  // step's figures are compared, whatever their texts look like.
  checks.push(same("touches sent and received", touches.sent ?? 0, record.touchesReceived));
  checks.push({
    name: "touches sent that no message received holds",
    ok: record.touchesNotReceived.length === 0,
    detail:
      record.touchesNotReceived.length === 0
        ? ["none"]
        : record.touchesNotReceived.slice(0, 5).map((m) => `chat:message ${m}`),
  });
  // Every step either side knows: one the database does not list is compared with its zero.
  const steps = new Map<string, { reached: number; clicked: number }>(
    chains.flatMap((c) => c.steps.map((s) => [`${c.slug}/${s.key}`, s] as const)),
  );
  const stepIds = union(
    [...steps.keys()],
    [...record.received.keys(), ...record.clickedSteps.keys()],
  );
  checks.push(
    sameEach(
      "steps reached",
      stepIds.map((id) => ({
        label: id,
        database: steps.get(id)?.reached ?? 0,
        simulation: record.received.get(id) ?? 0,
      })),
    ),
  );
  checks.push(
    sameEach(
      "steps clicked",
      stepIds.map((id) => ({
        label: id,
        database: steps.get(id)?.clicked ?? 0,
        simulation: record.clickedSteps.get(id) ?? 0,
      })),
    ),
  );
  checks.push(
    sameEach(
      "enrollments that clicked, per chain",
      union(
        chains.map((c) => c.slug),
        [...record.chainClickers.keys()],
      ).map((slug) => ({
        label: slug,
        database: chains.find((c) => c.slug === slug)?.clicked ?? 0,
        simulation: record.chainClickers.get(slug) ?? 0,
      })),
    ),
  );
  checks.push(
    same(
      "A/B variants drawn, one per person and step",
      count("variant_drawn"),
      sum(options.splitSteps.map((id) => record.received.get(id) ?? 0)),
    ),
  );
  checks.push(same("tracked links followed", clicks.url ?? 0, record.linkClicks));
  checks.push(same("tracked links not found", record.lostLinks, 0));
  checks.push(same("hot buttons pressed", clicks.hot ?? 0, record.presses.hot));
  checks.push(same("goal buttons pressed", clicks.goal ?? 0, record.presses.goal));
  checks.push(same("reply buttons pressed", clicks.reply ?? 0, record.presses.reply));
  checks.push(same("tag buttons pressed", clicks.tag ?? 0, record.presses.tag));
  checks.push(same("move buttons pressed", clicks.move ?? 0, record.presses.move));
  checks.push(
    sameEach(
      "presses per touch and kind",
      union([...figures.pressesByTouch.keys()], [...record.pressesByTouch.keys()]).map((key) => ({
        label: key,
        database: figures.pressesByTouch.get(key) ?? 0,
        simulation: record.pressesByTouch.get(key) ?? 0,
      })),
    ),
  );
  // Each move press ends one way: moved, refused by the target's re-entry rule, or (pressed after
  // the enrollment ended) the target chain started afresh.
  checks.push(
    same(
      "move presses, each moved, refused or started afresh",
      pressOutcomes.moved + pressOutcomes.refused + sum(Object.values(pressOutcomes.startedByMove)),
      record.presses.move,
    ),
  );
  checks.push(same("purchases recorded", totals.purchases, record.purchases));
  const foreign = totals.revenue.filter((m) => m.currency !== options.currency);
  checks.push({
    name: `revenue only in ${options.currency}`,
    ok: foreign.length === 0,
    detail: foreign.length === 0 ? ["yes"] : foreign.map((m) => `${m.amount} ${m.currency}`),
  });
  checks.push(
    same("revenue", centsOf(totals.revenue, options.currency), record.revenueCents, money),
  );
  const credited = [...new Set([...chains.map((c) => c.slug), ...record.revenueByChain.keys()])];
  checks.push(
    sameEach(
      "revenue credited per chain",
      [
        ...credited
          .filter((slug): slug is string => slug !== null)
          .map((slug) => ({
            label: slug,
            database: centsOf(chains.find((c) => c.slug === slug)?.revenue ?? [], options.currency),
            simulation: record.revenueByChain.get(slug)?.cents ?? 0,
          })),
        {
          label: "no chain",
          database: centsOf(totals.unattributed, options.currency),
          simulation: record.revenueByChain.get(null)?.cents ?? 0,
        },
      ],
      money,
    ),
  );
  checks.push(
    same(
      "repeated purchase requests answered as duplicates",
      record.duplicatesAcknowledged,
      record.duplicatesSent,
    ),
  );
  checks.push(
    same("enrollments converted by purchases", conversions.event ?? 0, record.convertedByEvents),
  );
  // A goal press converts the enrollment of its touch when that was still running.
  checks.push(
    same(
      "enrollments converted by goal buttons, one per enrollment pressed while running",
      conversions.button ?? 0,
      pressOutcomes.goalPressedWhileRunning,
    ),
  );
  checks.push(same("abandoned carts", count("cart_abandoned"), record.carts));
  checks.push(same("unsubscribed", sum(sources.map((s) => s.unsubscribed)), record.unsubscribed));
  checks.push(same("blocked the bot", sum(sources.map((s) => s.blocked)), record.blocked));

  const sourceNames = [...new Set([...sources.map((s) => s.source), ...record.bySource.keys()])];
  const bySource = (field: "subscribers" | "finished" | "buyers" | "purchases") =>
    sourceNames.map((source) => {
      const mine = record.bySource.get(source);
      const theirs = sources.find((s) => s.source === source);
      const simulation =
        field === "subscribers" ? (mine?.started ?? 0) : ((mine?.[field] as number) ?? 0);
      return { label: source ?? "(none)", database: theirs?.[field] ?? 0, simulation };
    });
  checks.push(sameEach("arrivals per source", bySource("subscribers")));
  checks.push(sameEach("finished per source", bySource("finished")));
  checks.push(sameEach("buyers per source", bySource("buyers")));
  checks.push(sameEach("purchases per source", bySource("purchases")));
  checks.push(
    sameEach(
      "revenue per source",
      sourceNames.map((source) => ({
        label: source ?? "(none)",
        database: centsOf(
          sources.find((s) => s.source === source)?.revenue ?? [],
          options.currency,
        ),
        simulation: record.bySource.get(source)?.revenueCents ?? 0,
      })),
      money,
    ),
  );

  checks.push({
    name: "touches failed",
    ok: (touches.failed ?? 0) === 0,
    detail: [String(touches.failed ?? 0)],
  });
  checks.push({
    name: "errors logged by the bot",
    ok: botErrors.length === 0,
    detail: botErrors.length === 0 ? ["0"] : botErrors.slice(0, 5),
  });
  checks.push({
    name: "prospects who went as planned",
    ok: record.errors.length === 0,
    detail: record.errors.length === 0 ? ["all"] : record.errors.slice(0, 5),
  });
  return checks;
}
