/**
 * Passes `source` through until `signal` aborts, then fails with the abort's reason at once, even
 * while `source` is waiting for its next value. The source is still returned (its `finally` runs:
 * unsubscribe, stop heartbeats), once the step it was taking settles.
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason);
  });
  // Rejected after the stream ended normally, it is never awaited: not an unhandled rejection.
  aborted.catch(() => {});
  if (signal.aborted) onAbort();
  else signal.addEventListener("abort", onAbort, { once: true });
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    for (;;) {
      pending = iterator.next();
      const step = await Promise.race([pending, aborted]);
      pending = undefined;
      if (step.done) return;
      yield step.value;
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
    if (pending) {
      // Left mid-step: the source returns once that step settles, and awaiting it here could wait
      // on this stream's own end (a subscription's step ends when its response closes).
      pending.catch(() => {});
      void iterator.return?.()?.catch(() => {});
    } else {
      await iterator.return?.();
    }
  }
}
