// A CDN or browser revalidating the widget's public config: GET /widget/config/:publicId with
// If-None-Match holding the current ETag, answered 304 with no body. Compare with widget-config
// (the full 200) in the same run.
import { createBenchButton } from "../lib/bench-button";
import { signUpAndVerify, startRealApp } from "../lib/real-app";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "config-304",
  description: "real app, GET /widget/config/:publicId with a matching If-None-Match (304)",
  async start() {
    const lifted = { points: 1_000_000_000, durationSeconds: 60 };
    const app = await startRealApp({ limits: { "config.ip": lifted } });
    const { cookie } = await signUpAndVerify(app);
    const publicId = await createBenchButton(app, cookie, "shop.example.com");
    const url = `${app.url}/widget/config/${publicId}`;
    const origin = "https://shop.example.com";
    // The body's windows start at the current hour: a run that crosses the hour gets 200s, which
    // the run reports as unexpected answers.
    const etag = (await fetch(url, { headers: { origin } })).headers.get("etag");
    if (!etag) throw new Error(`${url} answered without an ETag`);
    return {
      url,
      headers: { origin, "if-none-match": etag },
      expectStatus: 304,
      notes: { database: app.db.kind },
      stop: () => app.close(),
    };
  },
});
