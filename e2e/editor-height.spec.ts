import { buttonFields } from "./api";
import { expect, signUpConfirmedUser, test } from "./fixtures";

test("editor height (measurement)", async ({ page, server }) => {
  test.setTimeout(300_000);
  await signUpConfirmedUser(page, server);
  const res = await page.request.post(`${server.url}/trpc/buttons.create`, {
    headers: { origin: server.url, "content-type": "application/json" },
    data: { json: buttonFields() },
  });
  const view = (await res.json()).result.data.json as { id: string };
  const out: Record<string, number> = {};
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 800 });
    for (const path of ["/buttons/new", `/buttons/${view.id}`]) {
      await page.goto(path);
      await expect(page.locator(".preview-site")).toBeVisible();
      await page.waitForTimeout(1000);
      out[`${width} ${path.includes("new") ? "new" : "edit"}`] = await page.evaluate(
        () => document.documentElement.scrollHeight,
      );
    }
  }
  console.log("HEIGHTS", JSON.stringify(out));
});
