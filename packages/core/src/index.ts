/**
 * `@cac/core`: the backend's rules and work, with no web framework in it. Services are plain
 * functions that take the ports they use (`Pick<Ports, ...>`) and the caller's account id; the
 * API (`@cac/trpc`) and the server's routes and jobs (`apps/server`) call them. Browser-safe rules
 * are in `@cac/core/domain`.
 */
export * from "./context";
export * from "./email/contact-message";
export * from "./email/templates";
export * from "./errors";
export * from "./limits";
export * from "./ports";
export * from "./services/abuse";
export * from "./services/abuse-detection";
export * from "./services/abuse-review";
export * from "./services/access";
export * from "./services/account";
export * from "./services/account-closure";
export * from "./services/auth";
export * from "./services/billing";
export {
  ENTITLED_STATUSES,
  HANDLED_STRIPE_EVENTS,
  type WebhookDeps,
  type WebhookOutcome,
} from "./services/billing-webhooks/events";
export { handleStripeEvent } from "./services/billing-webhooks/handle";
export { applyAccountPlan } from "./services/billing-webhooks/plan";
export * from "./services/button-view";
export * from "./services/buttons";
export * from "./services/call-log/context-options";
export * from "./services/call-log/csv";
export * from "./services/call-log/export";
export * from "./services/call-log/filters";
export * from "./services/call-log/keyset";
export * from "./services/call-log/list";
export * from "./services/call-log/reports";
export * from "./services/call-log/stats";
export * from "./services/call-log/work";
export * from "./services/callback-emails";
export * from "./services/callback-work";
export * from "./services/callbacks";
export * from "./services/calls/answer";
export * from "./services/calls/call-state";
export * from "./services/calls/callable";
export * from "./services/calls/channels";
export * from "./services/calls/deadline-timers";
export * from "./services/calls/deadlines";
export * from "./services/calls/feeds";
export * from "./services/calls/ice-servers";
export * from "./services/calls/lifecycle";
export * from "./services/calls/member-hours";
export * from "./services/calls/presence";
export * from "./services/calls/ring-step-rows";
export * from "./services/calls/ring-steps";
export * from "./services/calls/signaling";
export * from "./services/calls/start";
export * from "./services/calls/sweeper";
export * from "./services/calls/twilio";
export * from "./services/captcha";
export * from "./services/contact";
export * from "./services/dashboard";
export * from "./services/data-export";
export * from "./services/dev-outbox";
export * from "./services/email-queue";
export * from "./services/event-log";
export * from "./services/install/instructions";
export * from "./services/install/origins";
export * from "./services/invitations";
export * from "./services/ip-blocks";
export * from "./services/ip-visibility";
export * from "./services/logos";
export * from "./services/member-directory";
export * from "./services/members";
export * from "./services/missed-call";
export * from "./services/notifications/dispatch";
export * from "./services/notifications/events";
export * from "./services/notifications/preferences";
export * from "./services/notifications/subscriptions";
export * from "./services/notifications/summary";
export * from "./services/owners";
export * from "./services/plan-limits";
export * from "./services/policy";
export * from "./services/presence-notices";
export * from "./services/public-config";
export * from "./services/retention/account-deletion";
export * from "./services/retention/email-queue-purge";
export * from "./services/retention/ip-purge";
export type { RetentionDeps, RetentionOptions, RetentionResult } from "./services/retention/job-lock";
export * from "./services/routing";
export * from "./services/sessions";
export * from "./services/throttle";
export * from "./services/try-page";
export * from "./services/usage";
export * from "./services/usage-reconcile";
export * from "./services/widget-guards";
export * from "./services/widget-visit";
