import { useQuery } from "@tanstack/react-query";
import { type RouterOutputs, useTRPC } from "../trpc";

export type SystemInfo = RouterOutputs["system"]["info"];

export function useSystemInfo() {
  const trpc = useTRPC();
  return useQuery({ ...trpc.system.info.queryOptions(), staleTime: Number.POSITIVE_INFINITY });
}

/** The server keeps email in the dev outbox (the default mailer) instead of sending it. */
export function usesDevOutbox(info: SystemInfo | undefined): boolean {
  return Boolean(info && !info.production && /outbox/i.test(info.modes.mailer ?? ""));
}

const modeLabels: Record<string, string> = {
  database: "Database",
  limiter: "Rate limits",
  mailer: "Email",
  pubsub: "Live updates",
  presence: "Agent presence",
  turn: "TURN relay",
};

export function describeModes(info: SystemInfo): Array<{ key: string; label: string; value: string }> {
  return Object.entries(info.modes).map(([key, value]) => ({
    key,
    label: modeLabels[key] ?? key.charAt(0).toUpperCase() + key.slice(1),
    value,
  }));
}
