import type { AppConfig } from "./config";

/** How browser calls cross strict networks, as the portal's modes line says it (never a credential). */
export function relayMode(calls: AppConfig["calls"]): string {
  const staticTurn = calls.iceServers
    .flatMap((server) => [server.urls].flat())
    .filter((url) => /^turns?:/.test(url));
  const mode = calls.turn
    ? `coturn at ${calls.turn.urls.join(", ")} (shared secret: a credential per call, valid 10 minutes)`
    : staticTurn.length
      ? `${staticTurn.join(", ")} (fixed credentials from ICE_SERVERS)`
      : "none (direct connections only)";
  return calls.iceTransportPolicy === "relay" ? `${mode}; relay only (ICE_TRANSPORT_POLICY=relay)` : mode;
}
