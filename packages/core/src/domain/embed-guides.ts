/**
 * How to paste the widget's snippet into each kind of site, and what a site's
 * Content-Security-Policy must allow for it. The portal shows these as tabs; the "email these
 * instructions to my developer" message carries the same words.
 */

export const embedPlatforms = [
  "html",
  "wordpress",
  "shopify",
  "webflow",
  "wix",
  "squarespace",
  "gtm",
] as const;
export type EmbedPlatform = (typeof embedPlatforms)[number];

export type EmbedGuide = { id: EmbedPlatform; label: string; steps: string[] };

export const embedGuides: readonly EmbedGuide[] = [
  {
    id: "html",
    label: "HTML",
    steps: [
      "Open the HTML of every page that should show the button (or the shared layout or footer template).",
      "Paste the snippet just before the closing </body> tag.",
      "Publish the pages, then open your site: the button appears in the corner you chose.",
    ],
  },
  {
    id: "wordpress",
    label: "WordPress",
    steps: [
      "In the WordPress admin, install and activate a header and footer plugin, such as “WPCode – Insert Headers and Footers”.",
      "Open Code Snippets › Header & Footer (or the plugin's equivalent page).",
      "Paste the snippet into the Footer box and save.",
      "Without a plugin: Appearance › Theme File Editor › footer.php, paste the snippet just before </body> and update the file (a theme update may undo this).",
    ],
  },
  {
    id: "shopify",
    label: "Shopify",
    steps: [
      "In the Shopify admin, go to Online Store › Themes.",
      "Next to your current theme, open the … menu and choose Edit code.",
      "Under Layout, open theme.liquid.",
      "Paste the snippet just before the closing </body> tag and click Save.",
    ],
  },
  {
    id: "webflow",
    label: "Webflow",
    steps: [
      "Open your project's Site settings and go to the Custom code tab.",
      "Paste the snippet into the Footer code box and save the changes.",
      "Publish the site: custom code runs only on the published site, not in the Designer.",
    ],
  },
  {
    id: "wix",
    label: "Wix",
    steps: [
      "In your site's dashboard, go to Settings › Custom code (under Advanced). A Premium plan with a connected domain is needed.",
      "Click + Add Custom Code and paste the snippet.",
      "Name it “Click & Call”, choose All pages (Load code once), and place it in Body – end.",
      "Click Apply, then publish the site.",
    ],
  },
  {
    id: "squarespace",
    label: "Squarespace",
    steps: [
      "Go to Website › Pages › Website tools › Code injection (a Business plan or higher is needed).",
      "Paste the snippet into the Footer box.",
      "Click Save: it shows on every page of the site.",
    ],
  },
  {
    id: "gtm",
    label: "Google Tag Manager",
    steps: [
      "In your container, go to Tags › New and choose the Custom HTML tag type.",
      "Paste the snippet into the HTML box. Leave “Support document.write” off.",
      "Under Triggering, choose All Pages, then save the tag.",
      "Click Submit and publish the container version.",
    ],
  },
];

/** The services a deployment adds to what the widget loads (Twilio calls, the Turnstile check). */
export type WidgetNeeds = { twilio: boolean; turnstile: boolean };

/**
 * The directives a site's Content-Security-Policy needs for the widget, from what it really loads:
 * its scripts (the loader and its chunks) and the API (config, calls, live events) on the widget's
 * origin, the button's logo from there too, Turnstile's script and frame when the captcha is on,
 * and Twilio's connections and sounds for a phone call. Its styles go into its shadow root as a
 * constructed stylesheet, which style-src does not govern.
 */
export function widgetCspDirectives(widgetOrigin: string, needs: WidgetNeeds): string[] {
  const cloudflare = "https://challenges.cloudflare.com";
  return [
    `script-src ${widgetOrigin}${needs.turnstile ? ` ${cloudflare}` : ""}`,
    `connect-src ${widgetOrigin}${needs.twilio ? " wss://*.twilio.com https://eventgw.twilio.com" : ""}`,
    `img-src ${widgetOrigin}`,
    ...(needs.turnstile ? [`frame-src ${cloudflare}`] : []),
    ...(needs.twilio ? ["media-src https://sdk.twilio.com"] : []),
  ];
}
