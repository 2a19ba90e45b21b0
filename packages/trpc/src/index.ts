import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "./routers/app";

export { appRouter } from "./routers/app";
export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
export type { Context, CookieOptions, HttpExchange, Settings } from "./context";
export { AppError } from "./errors";
export type { LimitName, Limits } from "./limits";
export { defaultLimits } from "./limits";
export type {
  Billing,
  Captcha,
  CaptchaExpectation,
  CaptchaResult,
  CheckoutSessionRequest,
  Clock,
  EmailQueue,
  Limiter,
  LimitPolicy,
  LimitResult,
  Logger,
  Mailer,
  MailMessage,
  MailTransport,
  PaidPlanId,
  Ports,
  PubSub,
  QueuedWork,
  SignupRequest,
  Storage,
  StripeBilling,
  TwilioVoice,
  Voice,
} from "./ports";
export { createCallerFactory } from "./trpc";
