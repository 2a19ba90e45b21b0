/**
 * dist/widget-twilio.js: the Twilio Voice SDK and the little that drives it, built as its own
 * ES module (about 50 KB gzipped) and imported by the call chunk only when `calls.start` chose
 * Twilio (the button rings a phone number). Visitors on browser-to-browser calls never load it.
 *
 * `device.connect({ params: { session } })` reaches the TwiML App, whose voice webhook dials the
 * number stored for the button (never a number sent from here).
 */
import { type Call, Device } from "@twilio/voice-sdk";
import type { CallSession, TwilioOptions } from "./transport";

export function twilioCall(o: TwilioOptions): CallSession {
  let call: Call | undefined;
  let over = false;
  const device = new Device(o.accessToken, { logLevel: "error", closeProtection: false });
  const end = (then: () => void) => {
    if (over) return;
    over = true;
    try {
      call?.disconnect();
      device.destroy();
    } catch {
      // Already torn down.
    }
    then();
  };
  const failed = (error: unknown) =>
    end(() => o.failed(`Twilio Voice: ${(error as { message?: string })?.message ?? String(error)}`));
  device.on("error", failed);
  device.connect({ params: { session: o.sessionId } }).then((c) => {
    call = c;
    if (over) return c.disconnect();
    c.on("ringing", () => !over && o.ringing());
    c.on("accept", () => !over && o.answered());
    c.on("disconnect", () => end(o.ended));
    c.on("cancel", () => end(o.ended));
    c.on("reject", () => end(o.ended));
    c.on("error", failed);
  }, failed);

  return {
    hangup: () => end(() => {}),
    mute: (muted) => call?.mute(muted),
    dtmf: (digit) => call?.sendDigits(digit),
  };
}
