// The careful-communication policy lives in db/delivery/policy.ts, where the Mini App's timeline can use it too.
export {
  firstAllowedMoment,
  type PolicyInput,
  ruleAt,
  type SendRule,
} from "../../db/delivery/policy.ts";
