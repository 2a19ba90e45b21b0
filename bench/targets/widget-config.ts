// The widget's public config: GET /widget/config/:publicId from an allowed third-party origin
// (button lookup, Origin check, seven days of open windows, ETag).
import { createBenchButton } from "../lib/bench-button";
import { signUpAndVerify, startRealApp } from "../lib/real-app";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "widget-config",
  description: "real app, GET /widget/config/:publicId from an allowed origin",
  async start() {
    const app = await startRealApp();
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
