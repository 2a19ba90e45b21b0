/**
 * The call transport. The call UI calls `startCall(ctx)` when the visitor presses "Call now" and
 * renders whatever the session reports through `ctx.report`:
 *
 * 1. the microphone (`getUserMedia`; refused → "mic-denied", none → "no-mic");
 * 2. `calls.start` (each refusal has its cause: closed, blocked, rate-limited, over-quota, no-agent…);
 * 3. the transport the server chose:
 *    - "webrtc" (default): ringing, then a peer connection to the agent's portal (webrtc.ts);
 *    - "twilio": the Twilio Voice SDK, loaded on demand from `widget-twilio.js` (never part of this
 *      chunk), `new Device(accessToken)` and `device.connect({ params: { session } })`. If it does
 *      not reach Twilio within 10 s the call fails and the server is told (`calls.reportFailure`).
 *      The server's TwiML rings the button's routing, then its number; a call that ends before
 *      anyone answered rang out, and the visitor is offered the callback form ("no-answer").
 *
 * Every path releases the microphone, the peer connection and the event stream, and leaving the
 * page hangs up.
 */
import { type CallCapability, causeOf, type Output, rpc } from "./transport-api";
import type { CallFailCause, CallProgress } from "./types";
import type { VisitorContextInput } from "./visitor-context";
import { webrtcCall } from "./webrtc";

export type CallContext = {
  /** The button's public id. */
  button: string;
  /** Origin of the API (tRPC at `${apiOrigin}/trpc`). */
  apiOrigin: string;
  /** The language the dialog speaks, recorded with the call. */
  language?: "en" | "es" | undefined;
  /** Element in the widget's shadow root where the call's <audio> element goes. */
  host: HTMLElement;
  /** Report progress; the UI moves its state machine accordingly. */
  report(progress: CallProgress): void;
  /**
   * When the captcha is on: a Turnstile token for `calls.start` (rejects when the check fails;
   * `signal` aborts it when the visitor cancels).
   */
  captcha?: ((signal: AbortSignal) => Promise<string>) | undefined;
  /** Who is calling (visitor-context.ts); absent when the button does not collect it. */
  context?: VisitorContextInput | undefined;
};

export type CallSession = {
  /** Visitor hung up or cancelled; the UI has already moved on, so do not report "hangup". */
  hangup(): void;
  mute(muted: boolean): void;
  /** One DTMF digit: 0-9, *, #. */
  dtmf(digit: string): void;
};

export type StartCall = (ctx: CallContext) => CallSession;

/** What `widget-twilio.js` exports (src/twilio.ts). */
export type TwilioModule = {
  twilioCall(options: TwilioOptions): CallSession;
};
export type TwilioOptions = {
  accessToken: string;
  sessionId: string;
  /** Twilio reached: the phone is ringing. */
  ringing(): void;
  answered(): void;
  /** The call ended after it was set up (either side hung up). */
  ended(): void;
  failed(reason: string): void;
};

/** How long a Twilio call may take to reach Twilio before the visitor is told it failed. */
export const TWILIO_CONNECT_MS = 10_000;

/** Replaceable in tests. */
export const deps = {
  loadTwilio: (): Promise<TwilioModule> =>
    import(/* @vite-ignore */ new URL("widget-twilio.js", import.meta.url).href) as Promise<TwilioModule>,
};

const micCause = (error: unknown): CallFailCause => {
  const name = (error as { name?: string } | null)?.name;
  return name === "NotAllowedError" || name === "SecurityError"
    ? "mic-denied"
    : name === "NotFoundError" || name === "OverconstrainedError"
      ? "no-mic"
      : "generic";
};

export const startCall: StartCall | null = (ctx) => {
  let over = false;
  let stream: MediaStream | undefined;
  let call: CallCapability | undefined;
  let inner: CallSession | undefined;
  let twilioTimer: ReturnType<typeof setTimeout> | undefined;
  /** The server has been told (or will be, by Twilio's callbacks): never hang up twice. */
  let told = false;
  const stopCaptcha = new AbortController();

  /** Releases what this side holds; with `notifyServer`, hangs up on the server too. */
  function release(notifyServer: boolean) {
    over = true;
    stopCaptcha.abort();
    clearTimeout(twilioTimer);
    removeEventListener("pagehide", onLeave);
    for (const track of stream?.getTracks() ?? []) track.stop();
    if (notifyServer && call && !told) {
      told = true;
      // keepalive: the request outlives the page when the visitor leaves.
      rpc(ctx.apiOrigin, "calls.hangUp", call, true).catch(() => {});
    }
  }
  function fail(cause: CallFailCause, notifyServer: boolean) {
    if (over) return;
    release(notifyServer);
    ctx.report({ t: "fail", cause });
  }
  function onLeave() {
    session.hangup();
  }
  addEventListener("pagehide", onLeave);

  (async () => {
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      return fail(micCause(error), false);
    }
    if (over) return release(false);
    ctx.report({ t: "permitted" });
    let captchaToken: string | undefined;
    if (ctx.captcha) {
      try {
        captchaToken = await ctx.captcha(stopCaptcha.signal);
      } catch {
        return fail("captcha", false);
      }
      if (over) return release(false);
    }
    let started: Output<"calls.start">;
    try {
      started = await rpc(ctx.apiOrigin, "calls.start", {
        button: ctx.button,
        // The page without its query or fragment, which may hold the visitor's own data.
        pageUrl: location.origin + location.pathname,
        language: ctx.language,
        captchaToken,
        ...(ctx.context ? { context: ctx.context } : {}),
      });
    } catch (error) {
      return fail(causeOf(error), false);
    }
    const capability = { button: ctx.button, sessionId: started.sessionId, token: started.token };
    call = capability;
    if (over) return release(true);
    ctx.report({ t: "started", id: started.sessionId });
    if (started.transport === "webrtc") {
      inner = webrtcCall({
        apiOrigin: ctx.apiOrigin,
        call: capability,
        iceServers: started.iceServers,
        iceTransportPolicy: started.iceTransportPolicy,
        ringTimeoutSeconds: started.ringTimeoutSeconds,
        stream,
        host: ctx.host,
        report: ctx.report,
        signal: (payload) => rpc(ctx.apiOrigin, "calls.signal", { ...capability, payload }),
        done: release,
      });
    } else {
      // The SDK opens the microphone itself.
      for (const track of stream.getTracks()) track.stop();
      twilio(started.accessToken, capability);
    }
  })();

  function twilio(accessToken: string, capability: CallCapability) {
    const failTwilio = (reason: string) => {
      if (over) return;
      told = true;
      inner?.hangup();
      rpc(ctx.apiOrigin, "calls.reportFailure", { ...capability, reason: reason.slice(0, 200) }).catch(
        () => {},
      );
      fail("generic", false);
    };
    twilioTimer = setTimeout(
      () => failTwilio("Twilio could not be reached within 10 seconds."),
      TWILIO_CONNECT_MS,
    );
    deps.loadTwilio().then(
      (module) => {
        if (over) return;
        // From here Twilio's status callbacks keep the call log, not our hang-up.
        told = true;
        let answered = false;
        inner = module.twilioCall({
          accessToken,
          sessionId: capability.sessionId,
          ringing() {
            clearTimeout(twilioTimer);
            if (!over) ctx.report({ t: "ringing" });
          },
          answered() {
            clearTimeout(twilioTimer);
            answered = true;
            if (!over) ctx.report({ t: "answered" });
          },
          ended() {
            if (over) return;
            release(false);
            // Ended before anyone answered (answerOnBridge: the answer is the bridge): the routing
            // and the number rang out, so the visitor is offered the callback form.
            ctx.report(answered ? { t: "hangup" } : { t: "fail", cause: "no-answer" });
          },
          failed: failTwilio,
        });
      },
      () => failTwilio("The Twilio Voice SDK could not be loaded."),
    );
  }

  const session: CallSession = {
    hangup() {
      if (over) return;
      // A Twilio call ends on Twilio's side (its status callback updates the log) and on ours.
      release(true);
      inner?.hangup();
    },
    mute: (muted) => inner?.mute(muted),
    dtmf: (digit) => inner?.dtmf(digit),
  };
  return session;
};
