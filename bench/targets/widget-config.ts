// The widget's public config: GET /widget/config/:publicId from an allowed third-party origin
// (button lookup, Origin check, seven days of open windows, ETag).
import { createBenchButton } from "../lib/bench-button";
import { signUpAndVerify, startRealApp } from "../lib/real-app";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "widget-config",
  description: "real app, GET /widget/config/:publicId from an allowed origin",
  async start() {
    // One client sends every request: the per-IP and per-button limits are lifted far above the
    // load, so each request is still counted (their cost is measured) but none is refused.
    const lifted = { points: 1_000_000_000, durationSeconds: 60 };
    const app = await startRealApp({ limits: { "config.ip": lifted } });
    const { cookie } = await signUpAndVerify(app);
    const publicId = await createBenchButton(app, cookie, "shop.example.com");
    return {
      url: `${app.url}/widget/config/${publicId}`,
      headers: { origin: "https://shop.example.com" },
      expectBody: publicId,
      notes: { database: app.db.kind },
      stop: () => app.close(),
    };
  },
});
