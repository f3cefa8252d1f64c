// The careful-communication policy lives in db/policy.ts, where the Mini App's timeline can use it too.
export { firstAllowedMoment, type PolicyInput } from "../../db/policy.ts";
