/**
 * Every state of the call dialog (call-state.ts) and the module that draws it. A new state fails
 * typecheck here until it has its frame.
 */
import type { CallView } from "../call-state";
import { connected } from "./connected";
import { connecting } from "./connecting";
import { ended } from "./ended";
import { failed } from "./failed";
import { home } from "./home";
import { permission } from "./permission";
import { ringing } from "./ringing";
import type { Frame } from "./room";
import { sent } from "./sent";

export const frames: { [V in CallView["v"]]: Frame<V> } = {
  home,
  sent,
  permission,
  connecting,
  ringing,
  connected,
  ended,
  failed,
};
