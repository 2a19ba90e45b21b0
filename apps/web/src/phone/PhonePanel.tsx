import "./phone.css";
import { Alert, Button, buttonClass } from "@cac/ui";
import { type Ref, type RefObject, useEffect, useRef, useState, useSyncExternalStore } from "react";
import { Link } from "react-router";
import { useMe } from "../components/MeContext";
import { track } from "../lib/analytics";
import { readPref, writePref } from "../lib/browser-pref";
import { callIntents } from "../push/intent";
import { useTRPCClient } from "../trpc";
import { idlePhoneState } from "./call-board";
import { PhoneController } from "./controller";
import { describePage, describeVisitor } from "./describe-page";
import { TeamPresence } from "./TeamPresence";
import type { ActiveCall, PhoneState, RingingCall } from "./types";

/**
 * The phone panel, present on every page of the portal: the availability switch under the header,
 * and, while something happens, a card docked at the bottom right (full width on a phone) with
 * the ringing calls (Answer / Decline) or the call in progress (timer, Mute, Hang up). The page
 * keeps room for the dock (phone.css), and the dock can be minimized to a one-line bar.
 */
export function PhonePanel() {
  const client = useTRPCClient();
  const { user, account } = useMe();
  const [phone, setPhone] = useState<PhoneController | null>(null);
  useEffect(() => {
    const controller = new PhoneController(client, user.id);
    setPhone(controller);
    return () => controller.dispose();
  }, [client, user.id]);
  // A call answered or declined in a push notification, once the portal shows its account.
  useEffect(() => {
    if (!phone) return;
    const act = () => {
      const intent = callIntents.take(account.id);
      if (intent) void phone.fromNotification(intent.callId, intent.action);
    };
    act();
    return callIntents.subscribe(act);
  }, [phone, account.id]);
  const state = useSyncExternalStore(phone?.subscribe ?? noSubscribe, phone?.getSnapshot ?? idleSnapshot);

  return (
    <section className="phone" aria-label="Phone">
      <div className="phone-bar">
        <div className="phone-bar-inner">
          <label className="phone-switch">
            <input
              type="checkbox"
              role="switch"
              aria-checked={state.available}
              checked={state.available}
              disabled={!phone || state.switching}
              aria-describedby="phone-status"
              onChange={(event) => phone?.setAvailable(event.currentTarget.checked)}
            />
            <span className="phone-switch-track" aria-hidden="true" />
            <span className="phone-switch-label">Available to answer calls</span>
          </label>
          <span id="phone-status" className={`phone-status phone-status--${state.feed}`}>
            {feedText(state)}
          </span>
          <TeamPresence />
          <Link to="/account#availability" className="phone-hours-link">
            Working hours
          </Link>
        </div>
      </div>
      <p className="ui-visually-hidden" aria-live="assertive" aria-atomic="true">
        {state.announcement}
      </p>
      {phone ? <Dock phone={phone} state={state} /> : null}
    </section>
  );
}

const noSubscribe = () => () => {};
const idleSnapshot = () => idlePhoneState;

function feedText(state: PhoneState): string {
  if (state.switching) return "Switching…";
  switch (state.feed) {
    case "off":
      return "Off: calls don't ring here";
    case "connecting":
      return "Connecting…";
    case "open":
      return "On: calls ring here";
    case "reconnecting":
      return "Reconnecting…";
  }
}

const dockPrefs = ["open", "minimized"] as const;

/** The page's room for the dock: its height, for the bottom padding phone.css keeps. */
function useReservedSpace(dock: RefObject<HTMLDivElement | null>, shown: boolean) {
  useEffect(() => {
    const element = dock.current;
    if (!shown || !element) return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => {
      root.style.setProperty("--phone-dock-space", `${Math.ceil(element.getBoundingClientRect().height)}px`);
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      root.style.removeProperty("--phone-dock-space");
    };
  }, [dock, shown]);
}

function Dock({ phone, state }: { phone: PhoneController; state: PhoneState }) {
  const { call, ringing, notice } = state;
  const dock = useRef<HTMLDivElement>(null);
  const [minimizedPref, setMinimizedPref] = useState(
    () => readPref("phone-dock", dockPrefs, "open") === "minimized",
  );
  // A ringing call is never tucked away: the dock exists to answer it.
  const minimized = minimizedPref && ringing.length === 0;
  const shown = Boolean(call || ringing.length || notice);
  useReservedSpace(dock, shown);
  const answerRef = useRef<HTMLButtonElement>(null);
  const hangUpRef = useRef<HTMLButtonElement>(null);
  const closeRef = useRef<HTMLButtonElement>(null);
  const busy = call !== null && call.phase !== "ended";
  const firstRinging = busy ? undefined : ringing[0]?.sessionId;
  const phase = call?.phase;

  // Focus follows the call: Answer when it rings, Hang up once answered, Close once ended
  // (the last two only when focus was in the dock or nowhere, so typing elsewhere is not broken).
  useEffect(() => {
    if (firstRinging) answerRef.current?.focus();
  }, [firstRinging]);
  useEffect(() => {
    const active = document.activeElement;
    const free = !active || active === document.body || dock.current?.contains(active);
    if (!free) return;
    if (phase === "connecting" || phase === "connected") hangUpRef.current?.focus();
    else if (phase === "ended") closeRef.current?.focus();
  }, [phase]);

  if (!shown) return null;
  const setMinimized = (value: boolean) => {
    setMinimizedPref(value);
    writePref("phone-dock", value ? "minimized" : "open");
  };
  return (
    <div className={minimized ? "phone-dock phone-dock--minimized" : "phone-dock"} ref={dock}>
      {ringing.length === 0 ? (
        <div className="phone-dock-bar">
          {minimized ? <p className="phone-dock-summary">{dockSummary(state)}</p> : null}
          <button
            type="button"
            className={buttonClass({ variant: "ghost", size: "sm" })}
            aria-expanded={!minimized}
            aria-controls="phone-dock-body"
            onClick={() => setMinimized(!minimized)}
          >
            {minimized ? "Show" : "Minimize"}
            <span className="ui-visually-hidden"> the phone panel</span>
          </button>
        </div>
      ) : null}
      <div id="phone-dock-body" className="phone-dock-body" hidden={minimized}>
        {notice ? (
          <Alert
            tone={notice.tone}
            className="phone-notice"
            actions={
              <Button variant="secondary" size="sm" onClick={() => phone.dismissNotice()}>
                Dismiss
              </Button>
            }
          >
            {notice.text}
          </Alert>
        ) : null}
        {call ? <CallCard call={call} phone={phone} hangUpRef={hangUpRef} closeRef={closeRef} /> : null}
        {ringing.map((r, i) => (
          <RingCard
            key={r.sessionId}
            call={r}
            phone={phone}
            answerRef={i === 0 ? answerRef : undefined}
            disabled={busy}
          />
        ))}
      </div>
    </div>
  );
}

/** The minimized dock's one line: the call and its state, or that a notice waits. */
function dockSummary({ call, notice }: PhoneState): string {
  if (call) return `${callKicker(call)}: ${call.buttonName}`;
  return notice ? "A phone notice is waiting" : "";
}

function callKicker(call: ActiveCall): string {
  switch (call.phase) {
    case "answering":
      return "Answering…";
    case "connecting":
      return "Connecting…";
    case "connected":
      return "Connected";
    case "ended":
      return "Call ended";
  }
}

function RingCard({
  call,
  phone,
  answerRef,
  disabled,
}: {
  call: RingingCall;
  phone: PhoneController;
  answerRef?: Ref<HTMLButtonElement> | undefined;
  disabled: boolean;
}) {
  const titleId = `phone-ring-${call.sessionId}`;
  const visitorLine = describeVisitor(call.visitor);
  return (
    <article className="phone-card phone-card--ringing" aria-labelledby={titleId}>
      <p className="phone-card-kicker">
        <span className="phone-pulse" aria-hidden="true" />
        {disabled ? "Waiting" : "Incoming call"}
      </p>
      <h2 className="phone-card-title" id={titleId}>
        {call.buttonName}
      </h2>
      <p className="phone-card-meta">
        From <span className="phone-page">{describePage(call.pageUrl)}</span>
      </p>
      {visitorLine ? (
        <p className="phone-card-meta phone-visitor" data-testid="ring-visitor">
          {visitorLine}
        </p>
      ) : null}
      <div className="phone-actions">
        <button
          ref={answerRef}
          type="button"
          className={buttonClass()}
          onClick={() => {
            track("call_answered");
            phone.answer(call.sessionId);
          }}
          disabled={disabled}
        >
          Answer
        </button>
        <Button variant="secondary" onClick={() => phone.decline(call.sessionId)}>
          Decline
        </Button>
      </div>
    </article>
  );
}

function CallCard({
  call,
  phone,
  hangUpRef,
  closeRef,
}: {
  call: ActiveCall;
  phone: PhoneController;
  hangUpRef: Ref<HTMLButtonElement>;
  closeRef: Ref<HTMLButtonElement>;
}) {
  const titleId = `phone-call-${call.sessionId}`;
  const kicker = callKicker(call);
  return (
    <article className={`phone-card phone-card--${call.phase}`} aria-labelledby={titleId}>
      <p className="phone-card-kicker">{kicker}</p>
      <h2 className="phone-card-title" id={titleId}>
        {call.buttonName}
      </h2>
      <p className="phone-card-meta">
        From <span className="phone-page">{describePage(call.pageUrl)}</span>
      </p>
      {call.phase === "ended" ? (
        <>
          <p className="phone-ended">
            {call.endedText}
            {call.durationSeconds ? ` Duration ${formatSeconds(call.durationSeconds)}.` : ""}
          </p>
          <div className="phone-actions">
            <button
              ref={closeRef}
              type="button"
              className={buttonClass({ variant: "secondary" })}
              onClick={() => phone.dismiss()}
            >
              Close
            </button>
          </div>
        </>
      ) : (
        <>
          <p className="phone-timer">
            <span className="ui-visually-hidden">Call duration </span>
            {call.answeredAt ? <Elapsed since={call.answeredAt} /> : "0:00"}
          </p>
          <div className="phone-actions">
            <Button
              variant="secondary"
              aria-pressed={call.muted}
              onClick={() => phone.toggleMute()}
              disabled={call.phase === "answering"}
            >
              {call.muted ? "Unmute" : "Mute"}
            </Button>
            <button
              ref={hangUpRef}
              type="button"
              className={buttonClass({ variant: "danger" })}
              onClick={() => phone.hangUp()}
            >
              Hang up
            </button>
          </div>
        </>
      )}
    </article>
  );
}

function Elapsed({ since }: { since: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  return <>{formatSeconds(Math.max(0, Math.floor((now - since) / 1000)))}</>;
}

/** 75 → "1:15", 3725 → "1:02:05". */
export function formatSeconds(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
