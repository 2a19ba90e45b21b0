/**
 * When an IP is flagged automatically. Each rule looks back over its own window from now (or from
 * the IP's last flag, so calls that already led to a flag never count again once it is cleared or
 * has expired). The server may override them (tests use small counts).
 */
export type AbuseThresholds = {
  /** Call starts: flagged on the attempt after `max` calls started in the window. */
  callStarts: { max: number; windowSeconds: number };
  /**
   * Very short calls: flagged once `count` calls that were answered and ended within
   * `underSeconds` of talk time ended in the window (dial-and-drop, testing stolen numbers).
   */
  shortCalls: { count: number; underSeconds: number; windowSeconds: number };
  /** Spread: flagged on an attempt that would make the IP call more than `max` accounts in the window. */
  accounts: { max: number; windowSeconds: number };
  /** How long an automatic flag blocks the IP; an operator may clear it sooner. */
  flagSeconds: number;
};

const HOUR = 60 * 60;

export const defaultAbuseThresholds: AbuseThresholds = {
  // call.ip lets 10 starts through per 10 minutes; 40 in an hour is four windows in a row at the limit.
  callStarts: { max: 40, windowSeconds: HOUR },
  shortCalls: { count: 5, underSeconds: 5, windowSeconds: HOUR },
  // A visitor calls one business, maybe a few; many different businesses from one IP is a sweep.
  accounts: { max: 5, windowSeconds: HOUR },
  flagSeconds: 24 * HOUR,
};

/** The defaults with the server's overrides, merged per rule. */
export function abuseThresholdsWith(overrides: Partial<AbuseThresholds> = {}): AbuseThresholds {
  return { ...defaultAbuseThresholds, ...overrides };
}
