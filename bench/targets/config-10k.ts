// The widget's public config with 10,000 buttons in rotation: each request asks for the next
// button, as a deployment serving many customers' sites does, so no single hot entry carries the
// figure. Same route, origin and lifted per-IP limit as widget-config.
import { startConfigRotation } from "../lib/config-rotation";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "config-10k",
  description: "real app, GET /widget/config/:publicId over 10,000 buttons in rotation",
  // Seeding 10,000 buttons and asking for each once takes minutes on a busy machine.
  startTimeoutMs: 20 * 60 * 1000,
  start: () => startConfigRotation(10_000),
});
