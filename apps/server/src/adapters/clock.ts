import type { Clock } from "@cac/trpc";

export const systemClock: Clock = { now: () => new Date() };
