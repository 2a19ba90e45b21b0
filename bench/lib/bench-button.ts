// A button created through the API for benchmarks: open all week, allowed on `allowedHost`.
import { alwaysOpen, validButton } from "../../apps/server/test/fixtures/buttons";
import { PORTAL_ORIGIN, type RealApp } from "./real-app";

export async function createBenchButton(app: RealApp, cookie: string, allowedHost: string): Promise<string> {
  const response = await fetch(`${app.url}/trpc/buttons.create`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_ORIGIN, cookie },
    body: JSON.stringify({
      json: validButton({ name: "Bench", hours: alwaysOpen, allowedDomains: [allowedHost] }),
    }),
  });
  if (!response.ok) throw new Error(`buttons.create answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { result: { data: { json: { publicId: string } } } };
  return body.result.data.json.publicId;
}
