// A button created through the API for benchmarks: open all week, allowed on `allowedHost`.
import { PORTAL_ORIGIN, type RealApp } from "./real-app";

export async function createBenchButton(app: RealApp, cookie: string, allowedHost: string): Promise<string> {
  const response = await fetch(`${app.url}/trpc/buttons.create`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: PORTAL_ORIGIN, cookie },
    body: JSON.stringify({
      json: {
        name: "Bench",
        label: "Call us",
        style: {
          background: "#1d4ed8",
          text: "#ffffff",
          size: "medium",
          shape: "pill",
          position: "bottom-right",
          icon: "phone",
        },
        phoneNumber: null,
        ringPortal: true,
        timezone: "America/New_York",
        hours: Array.from({ length: 7 }, () => [{ start: 0, end: 1440 }]),
        holidays: [],
        closedBehavior: "message",
        allowedDomains: [allowedHost],
      },
    }),
  });
  if (!response.ok) throw new Error(`buttons.create answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { result: { data: { json: { publicId: string } } } };
  return body.result.data.json.publicId;
}
