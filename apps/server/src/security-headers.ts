import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";

/** Headers for the portal: a strict CSP, no framing, no sniffing, HSTS in production. */
export async function registerSecurityHeaders(
  app: FastifyInstance,
  production: boolean,
  extra: { connectSrc?: string[]; turnstile?: boolean; twilio?: boolean } = {},
) {
  // The phone panel's Voice SDK (Twilio configured): signaling and call insights, and its ring sounds.
  const twilioConnect = extra.twilio ? ["wss://*.twilio.com", "https://eventgw.twilio.com"] : [];
  const turnstileSrc = extra.turnstile ? ["https://challenges.cloudflare.com"] : [];
  await app.register(helmet, {
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
  });
}
