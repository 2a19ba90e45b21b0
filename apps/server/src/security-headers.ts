import type { IncomingMessage, ServerResponse } from "node:http";
import type { FastifyInstance } from "fastify";
import helmet, { type HelmetOptions } from "helmet";

/** The helmet options for the portal: a strict CSP, no framing, no sniffing, HSTS in production. */
function helmetOptions(
  production: boolean,
  extra: { connectSrc?: string[]; turnstile?: boolean; twilio?: boolean },
): HelmetOptions {
  // The phone panel's Voice SDK (Twilio configured): signaling and call insights, and its ring sounds.
  const twilioConnect = extra.twilio ? ["wss://*.twilio.com", "https://eventgw.twilio.com"] : [];
  const turnstileSrc = extra.turnstile ? ["https://challenges.cloudflare.com"] : [];
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // Cloudflare Turnstile (signup and contact) loads its script and runs in a frame from there.
        scriptSrc: ["'self'", ...turnstileSrc],
        ...(extra.turnstile ? { frameSrc: ["'self'", ...turnstileSrc] } : {}),
        // React sets style attributes; no inline scripts are allowed.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:", "blob:"],
        connectSrc: ["'self'", ...(extra.connectSrc ?? []), ...twilioConnect],
        ...(extra.twilio ? { mediaSrc: ["'self'", "https://sdk.twilio.com"] } : {}),
        fontSrc: ["'self'"],
        // The installable portal: its service worker (/sw.js) and web app manifest.
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    frameguard: { action: "deny" },
    hsts: production ? { maxAge: 31536000, includeSubDomains: true } : false,
    // The widget script and logos are loaded by third-party sites; they set their own policy.
    crossOriginResourcePolicy: false,
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: "strict-origin-when-cross-origin" },
  };
}

/**
 * The headers helmet sets with these options. They depend on the options only (no nonces), so
 * they are computed once: helmet would otherwise rebuild its middlewares and re-parse the CSP on
 * every request.
 */
export function securityHeaders(
  production: boolean,
  extra: { connectSrc?: string[]; turnstile?: boolean; twilio?: boolean } = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
    },
    removeHeader(name: string) {
      delete headers[name];
    },
  };
  let failure: unknown;
  helmet(helmetOptions(production, extra))(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (error?: unknown) => {
      failure = error;
    },
  );
  if (failure) throw failure;
  return headers;
}

/** Headers for the portal, set on every response (routes that need another policy replace them). */
export function registerSecurityHeaders(
  app: FastifyInstance,
  production: boolean,
  extra: { connectSrc?: string[]; turnstile?: boolean; twilio?: boolean } = {},
) {
  const headers = securityHeaders(production, extra);
  app.addHook("onRequest", (_req, reply, done) => {
    reply.headers(headers);
    done();
  });
}
