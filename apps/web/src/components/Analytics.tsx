import { useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { useLocation } from "react-router";
import { initAnalytics, type PlainEvent, page, track } from "../lib/analytics";
import { useSystemInfo } from "../lib/system";

/**
 * Successful portal mutations that count as feature use (none of their data is sent). Answering a
 * call (the phone panel) and starting an export are tracked where they happen.
 */
const mutationEvents: Record<string, PlainEvent> = {
  "buttons.create": "button_created",
  "buttons.duplicate": "button_created",
  "buttons.update": "button_updated",
};

/**
 * Starts anonymized analytics when the server has it on, then sends a page view per route and
 * the feature events above. Renders nothing; with analytics off it loads nothing either.
 */
export function Analytics() {
  const info = useSystemInfo();
  const location = useLocation();
  const queryClient = useQueryClient();
  const enabled = Boolean(info.data?.posthogKey);

  useEffect(() => {
    if (info.data) initAnalytics(info.data);
  }, [info.data]);

  // The path only: a query string (an emailed link's token) never counts as a new page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a page view per path change
  useEffect(() => {
    if (enabled) page();
  }, [enabled, location.pathname]);

  useEffect(() => {
    if (!enabled) return;
    return queryClient.getMutationCache().subscribe((event) => {
      if (event.type !== "updated" || event.action.type !== "success") return;
      const path = event.mutation.options.mutationKey?.[0];
      const name = Array.isArray(path) ? mutationEvents[path.join(".")] : undefined;
      if (name) track(name);
    });
  }, [enabled, queryClient]);

  return null;
}
