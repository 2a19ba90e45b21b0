import type { AbuseThresholds } from "./domain/abuse-thresholds";
import type { Limits } from "./limits";
import type { Ports } from "./ports";

export type CookieOptions = {
  httpOnly: boolean;
  secure: boolean;
  sameSite: "lax" | "strict";
  path: string;
  maxAgeSeconds?: number;
};

/** What a procedure may know of and do to the HTTP exchange, independent of the server framework. */
export type HttpExchange = {
  method: string;
  /** The visitor's address, normalized: the right-most one no trusted proxy added (TRUST_PROXY). */
  ip: string;
  /** The socket's peer, whatever the headers say (a proxy, when there is one). */
  peerIp: string;
  /** Whether the request names a forwarded client (X-Forwarded-For or Forwarded). */
  forwarded: boolean;
  origin: string | undefined;
  contentType: string | undefined;
  userAgent: string | undefined;
  /** The page that sent the request (`Referer`), when the browser tells: the test page's check. */
  referer?: string | undefined;
  getCookie(name: string): string | undefined;
  setCookie(name: string, value: string, options: CookieOptions): void;
  clearCookie(name: string, options: CookieOptions): void;
  /**
   * Aborted (with an AbortError) when the server starts shutting down: live streams end then, so
   * their clients reconnect (behind a load balancer, to another instance).
   */
  serverClosing: AbortSignal;
};

export type Settings = {
  publicUrl: URL;
  production: boolean;
  operatorEmails: string[];
  calls: {
    ringTimeoutSeconds: number;
    /** STUN/TURN servers handed to both browsers; none by default (localhost and LANs). */
    iceServers: Array<{ urls: string | string[]; username?: string; credential?: string }>;
    /** coturn in shared-secret mode: each call gets a short-lived credential of its own. */
    turn?: { urls: string[]; secret: string } | undefined;
    /** "relay": both browsers use TURN relays only; "all" (the default) lets them connect directly. */
    iceTransportPolicy?: "all" | "relay" | undefined;
  };
  /** When an IP is flagged automatically (defaults in domain/abuse-thresholds.ts; tests override). */
  abuse: AbuseThresholds;
  /** Shown in the portal so the owner knows which adapters are real services and which are local. */
  modes: Record<string, string>;
  /** Where contact-form messages go (CONTACT_INBOX); the operators' addresses when absent. */
  contactInbox?: string | undefined;
  /**
   * How often the retention jobs run. A closed account is deleted by the last run before its
   * deletion date (so within 30 days of closing), and cannot be reopened once that run may start.
   */
  jobs?: { intervalSeconds: number } | undefined;
  /** PostHog product analytics for the portal (anonymized); off when absent. */
  analytics?: { posthogKey: string; posthogHost: string } | undefined;
};

export type Context = Ports & {
  settings: Settings;
  limits: Limits;
  http: HttpExchange;
};
