import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CallBoard } from "./call-board";
import type { Ringer } from "./ringer";
import type { RingingCall } from "./types";

/**
 * The phone panel's UI state on its own, with no line behind it: what the cards, the ring, the
 * notice and the timer do with what the lines report. The ring is a stand-in that counts.
 */

const call = (sessionId: string, buttonName = "Main site"): RingingCall => ({
  sessionId,
  buttonId: "b1",
  buttonName,
  pageUrl: "https://shop.test/pricing",
  startedAt: "2026-03-02T15:00:00.000Z",
});
const first = call("6f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f60");
const second = call("7f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f61", "Sales");

let sound: { started: number; stopped: number; closed: number };
let board: CallBoard;

beforeEach(() => {
  sound = { started: 0, stopped: 0, closed: 0 };
  const ringer: Ringer = {
    prime() {},
    start: () => void sound.started++,
    stop: () => void sound.stopped++,
    close: () => void sound.closed++,
  };
  board = new CallBoard(ringer);
});

afterEach(() => vi.useRealTimers());

describe("the phone panel's UI state", () => {
  it("rings a call once, announces its button and page, and the sound stops with the last card", () => {
    const seen: number[] = [];
    board.subscribe(() => seen.push(board.state.ringing.length));
    board.ring(first);
    board.ring(first);
    board.ring(second);
    expect(board.state.ringing).toEqual([first, second]);
    expect(board.state.announcement).toBe("Incoming call from Sales, on shop.test/pricing.");
    expect(sound.started).toBe(2);
    board.remove(first.sessionId);
    expect(sound.stopped).toBe(0);
    board.remove(second.sessionId);
    expect(sound.stopped).toBe(1);
    expect(seen).toEqual([1, 2, 1, 0]);
  });

  it("a call that rings during a call waits in silence, and rings once that call ends", () => {
    board.ring(first);
    expect(board.beginAnswer(first.sessionId)).toEqual(first);
    expect(board.state.call).toMatchObject({ sessionId: first.sessionId, phase: "answering" });
    const before = sound.started;
    board.ring(second);
    expect(board.state.ringing).toEqual([second]);
    expect(sound.started).toBe(before);
    // Only one call at a time.
    expect(board.beginAnswer(second.sessionId)).toBeNull();
    board.finish("You hung up.");
    expect(board.state.call).toMatchObject({ phase: "ended", endedText: "You hung up.", durationSeconds: 0 });
    expect(board.state.announcement).toBe("Call ended. You hung up.");
    expect(sound.started).toBe(before + 1);
  });

  it("the timer starts with the answer, or with the audio when the answer did not start it", () => {
    vi.useFakeTimers({ now: new Date("2026-03-02T15:00:00.000Z") });
    board.ring(first);
    board.beginAnswer(first.sessionId);
    board.connecting(first.sessionId, null);
    vi.advanceTimersByTime(5_000);
    board.connected(first.sessionId);
    expect(board.state.call).toMatchObject({ phase: "connected", answeredAt: Date.now() });
    expect(board.state.announcement).toBe("Connected to the caller.");
    vi.advanceTimersByTime(42_000);
    board.finish("The call ended.");
    expect(board.state.call?.durationSeconds).toBe(42);

    board.dismiss();
    board.ring(second);
    board.beginAnswer(second.sessionId);
    const answeredAt = Date.now();
    board.connecting(second.sessionId, answeredAt);
    vi.advanceTimersByTime(3_000);
    board.connected(second.sessionId);
    expect(board.state.call?.answeredAt).toBe(answeredAt);
    // The server's measure wins over the one here.
    board.finish("The caller hung up.", 7);
    expect(board.state.call).toMatchObject({ endedText: "The caller hung up.", durationSeconds: 7 });
  });

  it("a call taken, lost or ended while it rings never rings here again; an unanswered one is missed", () => {
    board.ring(first);
    board.taken(first.sessionId, false);
    expect(board.state.notice).toEqual({ tone: "info", text: "Answered by a teammate." });
    board.ring(first);
    expect(board.state.ringing).toEqual([]);

    board.ring(second);
    board.endedRinging({
      type: "ended",
      sessionId: second.sessionId,
      status: "no-answer",
      reason: null,
      durationSeconds: 0,
    });
    expect(board.state.notice).toEqual({ tone: "warning", text: "Missed call from Sales." });
    board.ring(second);
    expect(board.state.ringing).toEqual([]);

    const third = call("8f1c2b0e-7d0a-4c1e-9f5e-2b1d3c4e5f62");
    board.ring(third);
    board.lost(third.sessionId);
    board.ring(third);
    expect(board.state.ringing).toEqual([]);
  });

  it("a refused answer: without a microphone the call rings on and the notice says how; taken says by whom", () => {
    board.ring(first);
    board.beginAnswer(first.sessionId);
    board.refused(first, { kind: "microphone", missing: true });
    expect(board.state.call).toBeNull();
    expect(board.state.ringing).toEqual([first]);
    expect(board.state.notice).toEqual({
      tone: "error",
      text: "No microphone was found. Connect one, then answer again.",
    });

    board.beginAnswer(first.sessionId);
    board.refused(first, { kind: "taken" });
    expect(board.state).toMatchObject({
      call: null,
      ringing: [],
      notice: { tone: "info", text: "Answered by a teammate." },
    });
  });

  it("dispose silences the ring and stops telling the panel", () => {
    const seen: number[] = [];
    board.subscribe(() => seen.push(1));
    board.ring(first);
    board.dispose();
    board.ring(second);
    expect(sound.closed).toBe(1);
    expect(seen).toHaveLength(2);
  });
});
