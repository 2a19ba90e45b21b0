import type { Clock } from "@cac/core";

export const systemClock: Clock = { now: () => new Date() };
