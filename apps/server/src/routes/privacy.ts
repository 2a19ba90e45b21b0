import { readFileSync, statSync } from "node:fs";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { Marked, type Tokens } from "marked";
import { ConfigError } from "../config";

import { defaultPrivacyPolicyFile } from "../server-paths";

export { defaultPrivacyPolicyFile };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

// Links may only go to web pages, mail addresses or this site; anything else (javascript:, data:)
// becomes plain text.
const safeHref = /^(https?:|mailto:|\/(?!\/)|#)/i;

/**
 * Markdown without raw HTML: an operator's file is text, so a stray <script> or <img onerror>
 * shows as written instead of running on our origin.
 */
const markdown = new Marked({
  gfm: true,
  renderer: {
    html: (token: Tokens.HTML | Tokens.Tag) =>
      "block" in token && token.block ? `<p>${escapeHtml(token.text.trim())}</p>\n` : escapeHtml(token.text),
    link({ href, title, tokens }: Tokens.Link) {
      const text = this.parser.parseInline(tokens);
      if (!safeHref.test(href.trim())) return text;
      return `<a href="${escapeHtml(href)}"${title ? ` title="${escapeHtml(title)}"` : ""}>${text}</a>`;
    },
    image({ text }: Tokens.Image) {
      // The page's CSP allows only our own images; the description still reads.
      return escapeHtml(text);
    },
  },
});

/** The policy's first level-1 heading names the page; "Privacy policy" otherwise. */
function titleOf(source: string): string {
  const heading = /^#\s+(.+?)\s*#*\s*$/m.exec(source)?.[1];
  return heading ? heading.replace(/[*_`]/g, "") : "Privacy policy";
}

export function renderPrivacyPage(source: string): string {
  const body = markdown.parse(source, { async: false });
  const title = titleOf(source);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Click &amp; Call</title>
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; font: 1rem/1.6 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2937; background: #fff; }
  header, main, footer { max-width: 46rem; margin: 0 auto; padding: 1rem 1.25rem; }
  header { border-bottom: 1px solid #e5e7eb; }
  header a { font-weight: 700; color: inherit; text-decoration: none; }
  a { color: #1d4ed8; }
  a:focus-visible { outline: 3px solid #1d4ed8; outline-offset: 2px; }
  h1 { line-height: 1.2; }
  h2 { margin-top: 2rem; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; border: 1px solid #d1d5db; padding: 0.4rem 0.6rem; vertical-align: top; }
  .skip { position: absolute; left: -999px; }
  .skip:focus { left: 1rem; top: 1rem; background: #fff; padding: 0.5rem; }
  @media (prefers-color-scheme: dark) {
    body { color: #e5e7eb; background: #111827; }
    a { color: #93c5fd; }
    header { border-color: #374151; }
    th, td { border-color: #4b5563; }
  }
</style>
</head>
<body>
<a class="skip" href="#policy">Skip to the policy</a>
<header><a href="/">Click &amp; Call</a></header>
<main id="policy" tabindex="-1">
${body}
</main>
<footer><p><a href="/">Back to Click &amp; Call</a></p></footer>
</body>
</html>
`;
}

export type PrivacyPage = { file: string; current(log: FastifyBaseLogger): string };

/**
 * Reads and renders the policy now, so a missing or unreadable file stops the server at startup
 * with the setting's name. Later it is rendered again only when the file's modification time
 * changes; if the file becomes unreadable, the last good copy is served.
 */
export function loadPrivacyPage(configuredFile: string | undefined): PrivacyPage {
  const file = configuredFile ?? defaultPrivacyPolicyFile;
  const load = () => {
    const mtimeMs = statSync(file).mtimeMs;
    return { mtimeMs, html: renderPrivacyPage(readFileSync(file, "utf8")) };
  };
  let cached: { mtimeMs: number; html: string };
  try {
    cached = load();
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String(error);
    throw new ConfigError([
      configuredFile
        ? `PRIVACY_POLICY_FILE: cannot read the privacy policy at ${file} (${reason})`
        : `the shipped privacy policy at ${file} cannot be read (${reason}); set PRIVACY_POLICY_FILE to a markdown file`,
    ]);
  }
  return {
    file,
    current(log) {
      try {
        if (statSync(file).mtimeMs !== cached.mtimeMs) cached = load();
      } catch (error) {
        log.warn({ err: error, file }, "privacy policy file unreadable; serving the last copy");
      }
      return cached.html;
    },
  };
}

/** GET /privacy: the privacy policy as a standalone page (no portal script needed to read it). */
export function registerPrivacyPage(app: FastifyInstance, page: PrivacyPage) {
  app.get("/privacy", async (req, reply) =>
    reply.type("text/html; charset=utf-8").header("Cache-Control", "no-cache").send(page.current(req.log)),
  );
}
