/**
 * Where a visit came from, in words a business reads ("Google Ads", "Google (organic)",
 * "facebook.com", "Direct"): derived once from what the widget sent, stored with the call or the
 * callback (`source`), and what the call log's source filter and report group by.
 */
export type SourceFacts = {
  referrer?: string | null | undefined;
  utmSource?: string | null | undefined;
  utmMedium?: string | null | undefined;
  gclid?: string | null | undefined;
};

/** utm_source values people type in many spellings, named the way the business knows them. */
const knownSources: Record<string, string> = {
  google: "Google",
  facebook: "Facebook",
  fb: "Facebook",
  instagram: "Instagram",
  ig: "Instagram",
  bing: "Bing",
  microsoft: "Microsoft Ads",
  yahoo: "Yahoo",
  duckduckgo: "DuckDuckGo",
  linkedin: "LinkedIn",
  twitter: "X (Twitter)",
  x: "X (Twitter)",
  tiktok: "TikTok",
  youtube: "YouTube",
  yelp: "Yelp",
  nextdoor: "Nextdoor",
  newsletter: "Newsletter",
  email: "Email",
  mailchimp: "Mailchimp",
};

/** Search engines by the host's registrable name; a referrer from one is organic search. */
const searchEngines: [RegExp, string][] = [
  [/(^|\.)google\.[a-z.]+$/, "Google"],
  [/(^|\.)bing\.com$/, "Bing"],
  [/(^|\.)search\.yahoo\.com$|(^|\.)yahoo\.com$/, "Yahoo"],
  [/(^|\.)duckduckgo\.com$/, "DuckDuckGo"],
  [/(^|\.)ecosia\.org$/, "Ecosia"],
  [/(^|\.)search\.brave\.com$/, "Brave Search"],
  [/(^|\.)baidu\.com$/, "Baidu"],
  [/(^|\.)yandex\.[a-z.]+$/, "Yandex"],
];

const paidMedia = new Set(["cpc", "ppc", "paid", "paidsearch", "paid_search", "paid-search", "sem"]);

function hostOf(referrer: string): string | null {
  try {
    const host = new URL(referrer).hostname.toLowerCase();
    return host ? host.replace(/^www\./, "") : null;
  } catch {
    return null;
  }
}

/** The visit's source, or "Direct" when nothing tells where it came from. */
export function visitorSource(facts: SourceFacts): string {
  const utmSource = facts.utmSource?.trim().toLowerCase() || "";
  const medium = facts.utmMedium?.trim().toLowerCase() || "";
  if (facts.gclid?.trim() || (paidMedia.has(medium) && utmSource === "google")) return "Google Ads";
  if (paidMedia.has(medium) && utmSource === "bing") return "Microsoft Ads";
  if (utmSource) return knownSources[utmSource] ?? facts.utmSource?.trim() ?? utmSource;
  const host = facts.referrer ? hostOf(facts.referrer) : null;
  if (host) {
    const engine = searchEngines.find(([pattern]) => pattern.test(host));
    return engine ? `${engine[1]} (organic)` : host;
  }
  return "Direct";
}
