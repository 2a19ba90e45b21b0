/**
 * `@cac/core/domain`: the rules that hold on both sides of the wire. Browser-safe (lint keeps
 * node:*, the database and server libraries out of this folder), so the portal runs the same
 * checks it shows, and the server applies them again.
 */

export { type AbuseThresholds, abuseThresholdsWith, defaultAbuseThresholds } from "./abuse-thresholds";
export { accountTimezoneSchema, canonicalTimeZone, DEFAULT_ACCOUNT_TIMEZONE } from "./account-timezone";
export {
  domainPatternProblem,
  domainsOfWebsite,
  hostMatchesPattern,
  isOriginAllowed,
  normalizeDomainPattern,
} from "./allowed-domains";
export {
  type ButtonFields,
  buttonFieldsSchema,
  buttonIcons,
  buttonLanguages,
  buttonStyleSchema,
  buttonTextsSchema,
  buttonThemes,
  visitorLanguageSchema,
  weeklyHoursSchema,
  widgetLanguages,
  widgetSurfaces,
} from "./button-fields";
export {
  type EmbedGuide,
  type EmbedPlatform,
  embedGuides,
  embedPlatforms,
  type WidgetNeeds,
  widgetCspDirectives,
} from "./embed-guides";
export { ipKey, ipSchema, isIPv4, isIPv6, isLoopbackIp, logIp, normalizeIp } from "./ip";
export { type Plan, type PlanId, planFor, plans } from "./plans";
export type { PublicButtonConfig } from "./public-config";
export {
  callTag,
  PUSH_ACTIVE_MS,
  PUSH_CALL_TTL_SECONDS,
  PUSH_COLD_START_SECONDS,
  PUSH_NOTICE_TTL_SECONDS,
  type PushEventType,
  type PushPayload,
  pageLabel,
} from "./push";
export {
  closedCallMessage,
  findHoursProblems,
  type Interval,
  instantsForWallTime,
  isOpenAt,
  isValidTimeZone,
  nextClosing,
  nextOpening,
  openWindows,
  type Schedule,
  type WeeklyHours,
  wallClock,
} from "./schedule";
export {
  CONTROL_CHARACTERS_MESSAGE,
  companyNameSchema,
  emailSchema,
  hasControlCharacter,
  newPasswordSchema,
  noControlCharacters,
  noControlCharactersButCr,
  normalizeUsPhone,
  PASSWORD_MIN_LENGTH,
  personNameSchema,
  text,
  usPhoneSchema,
  websiteUrlSchema,
} from "./validation";
export {
  VISITOR_CONTEXT_LIMITS,
  type VisitorContext,
  type VisitorContextColumns,
  visitorContextColumns,
  visitorContextSchema,
} from "./visitor-context";
export { type SourceFacts, visitorSource } from "./visitor-source";
export {
  type CallbackWorkStatus,
  callbackWorkStatuses,
  NOTE_MAX_LENGTH,
  normalizeTag,
  noteBodySchema,
  TAG_MAX_LENGTH,
  TAGS_MAX,
  tagListSchema,
  tagSchema,
} from "./work-items";
