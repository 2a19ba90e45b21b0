import type { TwilioVoice, VoiceDecision } from "@cac/core";
import twilio from "twilio";
import type { TwilioConfig } from "../config";

const { AccessToken } = twilio.jwt;
const { VoiceGrant } = AccessToken;

/** An agent's token is refreshed by the portal before it expires; an hour bounds a leaked one. */
const AGENT_TOKEN_MAX_TTL_SECONDS = 3600;

/** Every status Twilio can report for a dialed leg. */
const dialedLegEvents = ["initiated", "ringing", "answered", "completed"] as const;

/**
 * Twilio Voice from config: Access Tokens signed with the API key, webhooks checked with the
 * account's Auth Token. Nothing here calls Twilio's REST API.
 */
export function createTwilioVoice(config: TwilioConfig): TwilioVoice {
  return {
    mode: "twilio",
    callerId: config.callerId,
    createAccessToken(identity, ttlSeconds) {
      const token = new AccessToken(config.accountSid, config.apiKey, config.apiSecret, {
        identity,
        ttl: Math.min(ttlSeconds, 300),
      });
      // Outgoing only: a visitor's browser can place its one call through the TwiML App and
      // cannot receive calls.
      token.addGrant(new VoiceGrant({ outgoingApplicationSid: config.twimlAppSid }));
      return token.toJwt();
    },
    createAgentAccessToken(identity, ttlSeconds) {
      const token = new AccessToken(config.accountSid, config.apiKey, config.apiSecret, {
        identity,
        ttl: Math.min(ttlSeconds, AGENT_TOKEN_MAX_TTL_SECONDS),
      });
      // Incoming only: the portal answers the calls that <Client> rings and places none.
      token.addGrant(new VoiceGrant({ incomingAllow: true }));
      return token.toJwt();
    },
    validateWebhook(signature, url, params) {
      if (!signature) return false;
      return twilio.validateRequest(config.authToken, signature, url, params);
    },
  };
}

/** The TwiML for a voice webhook's decision. Recording is never turned on. */
export function voiceTwiml(decision: VoiceDecision): string {
  const response = new twilio.twiml.VoiceResponse();
  if (decision.action === "reject") {
    response.reject();
    return response.toString();
  }
  const dial = response.dial({
    callerId: decision.callerId,
    answerOnBridge: true,
    timeLimit: decision.timeLimit,
    timeout: decision.timeout,
    // The Dial's outcome (DialCallStatus, DialCallDuration) goes to the status webhook too, naming
    // the step; its answer is the next step's Dial when nobody answered this one.
    action: decision.actionUrl,
    method: "POST",
  });
  if (decision.number) {
    dial.number(
      {
        statusCallback: decision.statusUrl,
        statusCallbackMethod: "POST",
        statusCallbackEvent: [...dialedLegEvents],
      },
      decision.number,
    );
  }
  for (const agent of decision.clients) {
    const client = dial.client({
      statusCallback: decision.statusUrl,
      statusCallbackMethod: "POST",
      statusCallbackEvent: [...dialedLegEvents],
    });
    client.identity(agent.identity);
    for (const [name, value] of Object.entries(agent.parameters)) client.parameter({ name, value });
  }
  return response.toString();
}

/** An empty TwiML response: for the Dial's action it ends the caller's leg; status callbacks ignore it. */
export function hangUpTwiml(): string {
  return new twilio.twiml.VoiceResponse().toString();
}
