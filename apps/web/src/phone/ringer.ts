/**
 * The ring of an incoming call, synthesized with WebAudio (no sound file to fetch: the portal's
 * CSP allows only its own origin, and a tone needs none). A US-style ring: two bursts of
 * 440 + 480 Hz, then a pause, every 3 seconds.
 *
 * Browsers only let a page make sound after the user interacted with it: `prime()` is called from
 * the click that sets the agent available, so later rings can play.
 */
export type Ringer = { prime(): void; start(): void; stop(): void; close(): void };

export function createRinger(): Ringer {
  let audio: AudioContext | null = null;
  let timer: ReturnType<typeof setInterval> | null = null;
  let voices: OscillatorNode[] = [];

  function context(): AudioContext | null {
    if (audio) return audio;
    try {
      audio = new AudioContext();
    } catch {
      audio = null;
    }
    return audio;
  }

  function burst(ctx: AudioContext, at: number, seconds: number) {
    const gain = ctx.createGain();
    gain.gain.setValueAtTime(0, at);
    gain.gain.linearRampToValueAtTime(0.12, at + 0.02);
    gain.gain.setValueAtTime(0.12, at + seconds - 0.03);
    gain.gain.linearRampToValueAtTime(0, at + seconds);
    gain.connect(ctx.destination);
    for (const frequency of [440, 480]) {
      const osc = ctx.createOscillator();
      osc.frequency.value = frequency;
      osc.connect(gain);
      osc.start(at);
      osc.stop(at + seconds);
      osc.onended = () => {
        voices = voices.filter((v) => v !== osc);
      };
      voices.push(osc);
    }
  }

  function ring() {
    const ctx = context();
    if (!ctx || ctx.state === "closed") return;
    if (ctx.state === "suspended") ctx.resume().catch(() => {});
    const t = ctx.currentTime + 0.05;
    burst(ctx, t, 0.4);
    burst(ctx, t + 0.6, 0.4);
  }

  return {
    prime() {
      context()
        ?.resume()
        .catch(() => {});
    },
    start() {
      if (timer) return;
      ring();
      timer = setInterval(ring, 3000);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      for (const osc of voices) {
        try {
          osc.stop();
        } catch {
          // Already stopped.
        }
      }
      voices = [];
    },
    close() {
      this.stop();
      audio?.close().catch(() => {});
      audio = null;
    },
  };
}
