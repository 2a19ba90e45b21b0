// config-10k with room for 2,000 configs in the instance's memory: four requests in five read the
// shared store (PostgreSQL, or Redis with REDIS_URL), as an instance serving more buttons than it
// keeps does.
import { startConfigRotation } from "../lib/config-rotation";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "config-10k-shared",
  description: "as config-10k, 2,000 configs kept in memory, the rest read from the shared store",
  // Seeding 10,000 buttons and asking for each once takes minutes on a busy machine.
  startTimeoutMs: 20 * 60 * 1000,
  start: () => startConfigRotation(10_000, 2_000),
});
