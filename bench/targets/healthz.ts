// GET /healthz of the real app: the whole plugin stack plus one database round trip.
import { startRealApp } from "../lib/real-app";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "healthz",
  description: "real app, GET /healthz (select 1 on the database)",
  async start() {
    const app = await startRealApp();
    return {
      url: `${app.url}/healthz`,
      expectBody: '"ok":true',
      notes: { database: app.db.kind },
      stop: () => app.close(),
    };
  },
});
