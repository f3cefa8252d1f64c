// Money per currency, one line each: amounts of different currencies are never added up.
import { money } from "../format.ts";

export function Money(props: { value: readonly { currency: string; amount: string }[] }) {
  return (
    <span className="money">
      {money(props.value).map((line, i) => (
        <span key={props.value[i]?.currency ?? "none"} className="money-line">
          {line}
        </span>
      ))}
    </span>
  );
}
