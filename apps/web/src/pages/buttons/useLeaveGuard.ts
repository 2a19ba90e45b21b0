import { useCallback, useEffect, useRef } from "react";
import { useBlocker } from "react-router";

/**
 * Unsaved changes: asks before leaving the page in the portal (the returned blocker drives the
 * dialog), and before closing the tab. Set `allowLeave` before navigating away on purpose.
 */
export function useLeaveGuard(dirty: boolean) {
  const allowLeave = useRef(false);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;
  const blocker = useBlocker(
    useCallback(
      ({ currentLocation, nextLocation }) =>
        !allowLeave.current && dirtyRef.current && currentLocation.pathname !== nextLocation.pathname,
      [],
    ),
  );
  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);
  return { blocker, allowLeave };
}
