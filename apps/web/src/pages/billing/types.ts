import type { RouterOutputs } from "../../trpc";

/** What the billing page shows: plan, subscription, usage and history. */
export type Overview = RouterOutputs["billing"]["overview"];
export type PlanRow = RouterOutputs["billing"]["plans"]["plans"][number];
