// The widget's public config over many buttons in rotation (config-10k, config-10k-shared).
import { seedBenchButtons } from "./bench-button";
import { signUpAndVerify, startRealApp } from "./real-app";
import type { StartedTarget } from "./target";

const ORIGIN = "https://shop.example.com";

/** Asks for every path once, `concurrency` at a time, as the site's visitors did before the run. */
async function visitAll(base: string, paths: string[], concurrency: number) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < paths.length) {
        const path = paths[next++] ?? "";
        const res = await fetch(`${base}${path}`, { headers: { origin: ORIGIN } });
        if (!res.ok) throw new Error(`${path} answered ${res.status}`);
        await res.arrayBuffer();
      }
    }),
  );
}

/**
 * `buttons` live buttons, each asked for once before the run (the steady state of a deployment
 * serving them all day; a button's config is made once per hour), then one request each in turn.
 * `memoryEntries`: PUBLIC_CONFIG_CACHE_ENTRIES (the default when absent).
 */
export async function startConfigRotation(buttons: number, memoryEntries?: number): Promise<StartedTarget> {
  const lifted = { points: 1_000_000_000, durationSeconds: 60 };
  const app = await startRealApp({
    limits: { "config.ip": lifted },
    env: memoryEntries ? { PUBLIC_CONFIG_CACHE_ENTRIES: String(memoryEntries) } : {},
  });
  const { email } = await signUpAndVerify(app);
  const ids = await seedBenchButtons(app, email, buttons, "shop.example.com");
  const paths = ids.map((id) => `/widget/config/${id}`);
  await visitAll(app.url, paths, 10);
  return {
    url: `${app.url}${paths[0]}`,
    paths,
    headers: { origin: ORIGIN },
    expectBody: ids[0],
    notes: {
      database: app.db.kind,
      buttons: String(buttons),
      memoryEntries: String(memoryEntries ?? "default"),
      // Read loosely, so the same target also measures a version without the cache port.
      sharedStore: "publicConfig" in app.ports ? app.ports.publicConfig.mode : "none",
    },
    stop: () => app.close(),
  };
}
