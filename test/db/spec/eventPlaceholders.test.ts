// {{event.*}}: the data of the event that started the enrollment, escaped as every placeholder is.
import { describe, expect, it } from "vitest";
import { message } from "../../../db/spec/message.ts";
import { renderTemplate, resolveButtonUrl } from "../../../db/spec/render.ts";
import { problemsOf } from "../../../db/validation.ts";

const event = {
  value: "2490.00",
  currency: "RUB",
  data: {
    items: [{ name: "Mug <Gift>" }, { title: 'Tea "Earl"' }, "Spoon"],
    cart_url: "https://shop.example/cart/42?utm=bot",
    customer: { tier: "gold" },
    count: 3,
  },
};

describe("event placeholders", () => {
  it("fills value, currency and data paths, escaping quotes and markup, with fallbacks", () => {
    const text =
      "<b>{{event.data.items}}</b> for {{event.value}} {{event.currency}}; {{event.data.count}} items, " +
      "tier {{event.data.customer.tier|none}}, first {{event.data.items.0.name}}, " +
      "missing {{event.data.nope|—}}, proto {{event.data.constructor|safe}}";
    expect(renderTemplate(text, { event })).toBe(
      "<b>Mug &lt;Gift&gt;, Tea &quot;Earl&quot;, Spoon</b> for 2490.00 RUB; 3 items, " +
        "tier gold, first Mug &lt;Gift&gt;, missing —, proto safe",
    );
    // Without an event (a manual enrollment), every event placeholder falls back.
    expect(renderTemplate("{{event.data.items|your items}} {{event.value|}}", {})).toBe(
      "your items ",
    );
  });

  it("URL-encodes event data inside a link's href", () => {
    const html = '<a href="https://shop.example/?q={{event.data.items.1.title}}">x</a>';
    expect(renderTemplate(html, { event })).toBe(
      '<a href="https://shop.example/?q=Tea%20%22Earl%22">x</a>',
    );
  });

  it("a button's URL may come from the event, else its fallback; a non-URL never gets through", () => {
    const url = "{{event.data.cart_url|https://shop.example/cart}}";
    expect(resolveButtonUrl(url, { event })).toBe("https://shop.example/cart/42?utm=bot");
    expect(resolveButtonUrl(url, {})).toBe("https://shop.example/cart");
    const hostile = { event: { data: { cart_url: "javascript:alert(1)" } } };
    expect(resolveButtonUrl(url, hostile)).toBe("https://shop.example/cart");
    expect(resolveButtonUrl("https://plain.example", { event })).toBe("https://plain.example");
  });

  it("validates event placeholders and URL buttons with precise messages", () => {
    const ok = message.safeParse({
      text: "{{event.data.items}} {{event.value}}",
      buttons: [
        [{ kind: "url", text: "Cart", url: "{{event.data.cart_url|https://s.example/c}}" }],
      ],
    });
    expect(ok.success).toBe(true);
    const bad = message.safeParse({
      text: "hi",
      buttons: [
        [{ kind: "url", text: "Cart", url: "{{event.data.cart_url}}" }],
        [{ kind: "url", text: "Cart", url: "{{event.data.cart_url|not a url}}" }],
      ],
    });
    const problems = bad.success ? [] : problemsOf(bad.error);
    expect(problems).toEqual([
      {
        path: "buttons[0][0].url",
        message:
          "must be a full URL, or {{event.data.<path>|<fallback URL>}}, e.g. {{event.data.cart_url|https://shop.example/cart}}",
      },
      { path: "buttons[1][0].url", message: "the fallback after | must be a full URL" },
    ]);
    const text = message.safeParse({ text: "{{event.items}}" });
    expect(text.success ? [] : problemsOf(text.error).map((p) => p.message)).toEqual([
      "{{event.items}} is not a known placeholder; use first_name, last_name, full_name, username, phone, email, answers.<key>, fields.<key>, event.value, event.currency or event.data.<path>",
    ]);
  });
});
