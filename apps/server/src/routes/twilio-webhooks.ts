import type { Ports, Settings } from "@cac/core";
import { applyStatusCallback, decideVoiceCall, type TwilioParams } from "@cac/core";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

const VOICE_PATH = "/webhooks/twilio/voice";
const STATUS_PATH = "/webhooks/twilio/status";

/** The address Twilio was given for a webhook: PUBLIC_URL, the route, and the query as received. */
function publicUrlOf(settings: Settings, path: string, requestUrl?: string): string {
  const base = settings.publicUrl.href.replace(/\/+$/, "");
  const at = requestUrl?.indexOf("?") ?? -1;
  return `${base}${path}${requestUrl && at >= 0 ? requestUrl.slice(at) : ""}`;
}

class FormError extends Error {
  readonly statusCode = 400;
}

/** Twilio's form body as single-valued parameters; a repeated name is refused, never merged. */
function parseForm(body: string): TwilioParams {
  const params: TwilioParams = {};
  for (const [name, value] of new URLSearchParams(body)) {
    if (Object.hasOwn(params, name)) throw new FormError(`The parameter ${name} is repeated.`);
    params[name] = value;
  }
  return params;
}

/**
 * `POST /webhooks/twilio/voice` (the TwiML App's Voice URL) and `POST /webhooks/twilio/status`
 * (dialed legs' status callbacks and the Dial's action). Both are form-encoded and must carry a
 * valid X-Twilio-Signature for their public URL; otherwise 403 and nothing is written.
 */
export async function registerTwilioWebhooks(app: FastifyInstance, ports: Ports, settings: Settings) {
  // The Twilio SDK renders TwiML; it is loaded only when Twilio is configured.
  const twiml = ports.voice.mode === "twilio" ? await import("../adapters/twilio-voice") : null;
  // An encapsulated scope: the form parser exists for these two routes only.
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      "application/x-www-form-urlencoded",
      { parseAs: "string", bodyLimit: 64 * 1024 },
      (_req, body, done) => {
        try {
          done(null, parseForm(body as string));
        } catch (error) {
          done(error as FormError, undefined);
        }
      },
    );

    /** How every Dial of a call is made: from the caller id, to the status webhook. */
    const voiceOptions = (callerId: string) => ({
      callerId,
      statusUrl: publicUrlOf(settings, STATUS_PATH),
      ringTimeoutSeconds: settings.calls.ringTimeoutSeconds,
    });

    /** The signed parameters, or null once a refusal has been sent. */
    const verified = (req: FastifyRequest, reply: FastifyReply, path: string): TwilioParams | null => {
      const voice = ports.voice;
      if (voice.mode !== "twilio" || !twiml) {
        reply.code(404).type("text/plain").send("Twilio Voice is not configured on this server.");
        return null;
      }
      const params = (req.body ?? {}) as TwilioParams;
      const header = req.headers["x-twilio-signature"];
      const signature = typeof header === "string" ? header : undefined;
      if (!voice.validateWebhook(signature, publicUrlOf(settings, path, req.url), params)) {
        req.log.warn({ path }, "refused a Twilio webhook with a missing or invalid signature");
        reply.code(403).type("text/plain").send("Invalid Twilio signature.");
        return null;
      }
      return params;
    };

    scope.post(VOICE_PATH, async (req, reply) => {
      const params = verified(req, reply, VOICE_PATH);
      if (!params || ports.voice.mode !== "twilio" || !twiml) return reply;
      const decision = await decideVoiceCall(ports, params, voiceOptions(ports.voice.callerId));
      if (decision.action === "reject")
        req.log.info({ reason: decision.reason, callSid: params.CallSid }, "rejected a Twilio call");
      return reply.type("text/xml").send(twiml.voiceTwiml(decision));
    });

    scope.post(STATUS_PATH, async (req, reply) => {
      const params = verified(req, reply, STATUS_PATH);
      if (!params || ports.voice.mode !== "twilio" || !twiml) return reply;
      // The Dial's action names its step (?step=N); the legs' status callbacks name none.
      const { step } = req.query as { step?: string };
      const result = await applyStatusCallback(ports, params, {
        step,
        options: voiceOptions(ports.voice.callerId),
      });
      const { next, ...logged } = result;
      req.log.debug({ ...logged, callSid: params.CallSid }, "Twilio status callback");
      // Also the Dial's action: the next step's Dial when nobody answered one of the routing's
      // members, else an empty response, which ends the caller's leg once the dial is over.
      return reply.type("text/xml").send(next ? twiml.voiceTwiml(next) : twiml.hangUpTwiml());
    });
  });
}
