import type { CaptureResult, PostHog } from "posthog-js/dist/module.slim.no-external";
import { sanitizeEventProperties } from "./analytics-sanitize";

/**
 * Anonymized product analytics (PostHog), off unless the server has POSTHOG_KEY. The SDK is
 * loaded only then (a dynamic import), never identifies anyone, stores nothing in the browser,
 * records no sessions and loads no further scripts; every event passes through the sanitizer.
 */

/** The feature events the portal sends, and the only properties each may carry. */
export type AnalyticsEvents = {
  button_created: Record<string, never>;
  button_updated: Record<string, never>;
  snippet_copied: Record<string, never>;
  call_answered: Record<string, never>;
  export_started: { filtered: boolean };
};

/** The events that carry no properties at all. */
export type PlainEvent = {
  [E in keyof AnalyticsEvents]: AnalyticsEvents[E] extends Record<string, never> ? E : never;
}[keyof AnalyticsEvents];

const allowedProps: { [E in keyof AnalyticsEvents]: ReadonlyArray<keyof AnalyticsEvents[E]> } = {
  button_created: [],
  button_updated: [],
  snippet_copied: [],
  call_answered: [],
  export_started: ["filtered"],
};

export type AnalyticsConfig = { posthogKey: string | null; posthogHost: string | null };

let client: Promise<PostHog | null> | null = null;

function beforeSend(event: CaptureResult | null): CaptureResult | null {
  if (!event) return null;
  const { $set: _set, $set_once: _setOnce, ...rest } = event;
  return { ...rest, properties: sanitizeEventProperties(event.properties) };
}

/** Starts analytics once, when the server has it on; does nothing otherwise. */
export function initAnalytics(config: AnalyticsConfig | undefined): void {
  if (client || !config?.posthogKey || !config.posthogHost) return;
  const { posthogKey, posthogHost } = config;
  // The slim, no-external build: core capture only, and it never injects scripts from PostHog.
  client = import("posthog-js/dist/module.slim.no-external")
    .then(({ posthog }) => {
      posthog.init(posthogKey, {
        api_host: posthogHost,
        persistence: "memory",
        disable_persistence: true,
        person_profiles: "never",
        autocapture: false,
        capture_pageview: false,
        capture_pageleave: false,
        capture_performance: false,
        capture_heatmaps: false,
        capture_dead_clicks: false,
        capture_exceptions: false,
        rageclick: false,
        disable_session_recording: true,
        disable_surveys: true,
        disable_product_tours: true,
        disable_conversations: true,
        disable_web_experiments: true,
        disable_external_dependency_loading: true,
        advanced_disable_flags: true,
        advanced_disable_feature_flags: true,
        save_referrer: false,
        save_campaign_params: false,
        mask_all_text: true,
        mask_all_element_attributes: true,
        mask_personal_data_properties: true,
        property_denylist: ["$ip", "$set", "$set_once", "$el_text", "$elements", "$elements_chain"],
        // Plain JSON bodies, so what is sent can be read (and is, by the e2e test).
        disable_compression: true,
        before_send: beforeSend,
      });
      return posthog;
    })
    .catch(() => null);
}

/** A page view of the current address (its query string is stripped before sending). */
export function page(): void {
  void client?.then((posthog) => posthog?.capture("$pageview"));
}

/** A feature event; properties outside the event's allow-list are dropped. */
export function track<E extends keyof AnalyticsEvents>(
  event: E,
  ...[props]: AnalyticsEvents[E] extends Record<string, never> ? [] : [AnalyticsEvents[E]]
): void {
  if (!client) return;
  const allowed: Record<string, unknown> = {};
  for (const key of allowedProps[event] as readonly string[]) {
    const value = (props as Record<string, unknown> | undefined)?.[key];
    if (typeof value === "boolean" || typeof value === "number") allowed[key] = value;
  }
  void client.then((posthog) => posthog?.capture(event, allowed));
}
