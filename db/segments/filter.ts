// A segment's rules as one SQL condition on the subscribers row aliased "s", so that counting,
// broadcasting and membership checks all run in the database, never row by row in Node.
import { type SQL, sql } from "drizzle-orm";
import type { SegmentRule } from "../spec/segmentSpec.ts";

type Range = { min: number; max: number };

function scoreBetween(column: string, range: Range | undefined): SQL | null {
  if (!range) return null;
  return sql`${sql.raw(`r.${column}`)} between ${range.min} and ${range.max}`;
}

function ruleSql(rule: SegmentRule, now: Date): SQL {
  switch (rule.kind) {
    case "tag":
      return sql`s.tags @> array[${rule.tag}]::text[]`;
    case "field": {
      // Answers count as fields, as in step conditions.
      const value = sql`coalesce(s.fields ->> ${rule.field}, s.answers ->> ${rule.field})`;
      if (rule.op === "exists") return sql`coalesce(${value}, '') <> ''`;
      const wanted = rule.value ?? "";
      return rule.op === "equals"
        ? sql`lower(${value}) = lower(${wanted})`
        : sql`strpos(lower(${value}), lower(${wanted})) > 0`;
    }
    case "source": {
      const list = sql`array[${sql.join(
        rule.sources.map((v) => sql`${v}`),
        sql`, `,
      )}]::text[]`;
      if (rule.which === "first") return sql`s.first_source = any(${list})`;
      if (rule.which === "last") return sql`s.last_source = any(${list})`;
      return sql`exists (select 1 from subscriber_sources ss
        where ss.subscriber_id = s.id and ss.source = any(${list}))`;
    }
    case "status":
      return sql`s.status::text = any(array[${sql.join(
        rule.statuses.map((v) => sql`${v}`),
        sql`, `,
      )}]::text[])`;
    case "rfm": {
      const parts = [
        scoreBetween("recency", rule.recency),
        scoreBetween("frequency", rule.frequency),
        scoreBetween("monetary", rule.monetary),
      ].filter((p): p is SQL => p !== null);
      return sql`exists (select 1 from subscriber_rfm r
        where r.subscriber_id = s.id and ${sql.join(parts, sql` and `)})`;
    }
    case "event": {
      const since =
        rule.withinDays === undefined
          ? sql``
          : sql` and e.occurred_at >= ${now.toISOString()}::timestamptz - make_interval(days => ${rule.withinDays})`;
      return sql`exists (select 1 from events e
        where e.subscriber_id = s.id and e.type = ${rule.event}${since})`;
    }
  }
}

/** True for the subscribers "s" the rules select; `now` anchors "within N days". */
export function segmentWhere(match: "all" | "any", rules: readonly SegmentRule[], now: Date): SQL {
  const parts = rules.map((rule) => {
    const test = ruleSql(rule, now);
    return rule.not ? sql`not coalesce((${test}), false)` : sql`coalesce((${test}), false)`;
  });
  return sql`(${sql.join(parts, match === "all" ? sql` and ` : sql` or `)})`;
}
