import { expect, PASSWORD, signUpThroughApi, uniqueEmail } from "./fixtures";
import { snap } from "./shots";
import { routeTurnstileScript, withTurnstile } from "./turnstile";

/**
 * The portal's contact form with Turnstile on. Cloudflare is out of reach here, so both ends are
 * stand-ins: the browser gets a small script in place of challenges.cloudflare.com's api.js (it
 * renders a "Verify you are human" button and hands over a token for the widget's action), and
 * the server verifies against a local siteverify that issued those tokens. The portal's real CSP
 * must let the script load.
 */
const SECRET = "0x4AAAAAAAe2e-secret";
const SITE_KEY = "0x4AAAAAAAe2e-site-key";

const test = withTurnstile(
  { secret: SECRET, siteKey: SITE_KEY },
  { CONTACT_INBOX: "hello@clickandcall.test" },
);

test("the contact form asks for the check, handles expiry, and sends the token the server verifies", async ({
  page,
  siteverify,
}, testInfo) => {
  const token = siteverify.issue({ hostname: "localhost", action: "contact" });
  const { scriptRequests } = await routeTurnstileScript(page, SITE_KEY, { contact: token });
  const email = uniqueEmail("captcha");
  await page.goto("/contact");
  const check = page.getByRole("group", { name: "Verification check" });
  await expect(check.getByRole("button", { name: "Verify you are human" })).toBeVisible();
  expect(scriptRequests()).toBe(1);

  await page.getByLabel("Your name").fill("Sam Buyer");
  await page.getByLabel("Email", { exact: true }).fill(email);
  await page.getByLabel("Message").fill("Is there a plan for 20 agents?");

  // Sent before the check is done: nothing leaves the browser, and the check says why.
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(check.getByText("Complete the verification check first.")).toBeVisible();
  await expect(check).toBeFocused();
  expect(siteverify.requests).toHaveLength(0);
  await snap(page, testInfo, "01-captcha-required");

  // Solved, then expired: the token is dropped and the page says so.
  await check.getByRole("button", { name: "Verify you are human" }).click();
  await expect(check.getByText("Complete the verification check first.")).toHaveCount(0);
  await page.evaluate(() => (window as unknown as { __turnstileExpire(): void }).__turnstileExpire());
  await expect(check.getByText(/The check expired/)).toBeVisible();
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(check.getByText("Complete the verification check first.")).toBeVisible();

  await check.getByRole("button", { name: "Verify you are human" }).click();
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Message sent" })).toBeVisible();
  await expect(page.getByText(`Thanks — we'll reply to ${email}.`)).toBeVisible();
  expect(siteverify.requests).toHaveLength(1);
  expect(siteverify.requests[0]?.form).toMatchObject({ secret: SECRET, response: token });
  expect(siteverify.requests[0]?.form.remoteip).toMatch(/^(127\.0\.0\.1|::1|::ffff:127\.0\.0\.1)$/);
  await snap(page, testInfo, "02-captcha-sent");
});

test("a spent token is refused with a clear message, and the check runs again", async ({
  page,
  siteverify,
}) => {
  // The stand-in script hands out the same token every time: the second use is a replay.
  const spent = siteverify.issue({ hostname: "localhost", action: "contact" });
  await routeTurnstileScript(page, SITE_KEY, { contact: spent });
  await page.goto("/contact");
  const check = page.getByRole("group", { name: "Verification check" });
  const fill = async (email: string) => {
    await page.getByLabel("Your name").fill("Lee");
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Message").fill("Hello");
    await check.getByRole("button", { name: "Verify you are human" }).click();
    await page.getByRole("button", { name: "Send message" }).click();
  };
  await fill(uniqueEmail("first"));
  await expect(page.getByRole("heading", { level: 1, name: "Message sent" })).toBeVisible();
  await page.getByRole("button", { name: "Send another message" }).click();
  await fill(uniqueEmail("again"));
  await expect(page.getByText("The verification check expired. Please complete it again.")).toBeVisible();
  await expect(page.getByRole("heading", { level: 1, name: "Contact us" })).toBeVisible();
  // The refused token is dropped: the form wants the check again before it sends anything.
  const asked = siteverify.requests.length;
  await page.getByRole("button", { name: "Send message" }).click();
  await expect(check.getByText("Complete the verification check first.")).toBeVisible();
  expect(siteverify.requests.length).toBe(asked);
});

test("the login form asks for the check only once the account has had many attempts, and then logs in", async ({
  page,
  server,
  siteverify,
}, testInfo) => {
  const email = uniqueEmail("login-captcha");
  await signUpThroughApi(page.request, server, email, {
    captchaToken: siteverify.issue({ hostname: "localhost", action: "signup" }),
  });
  const token = siteverify.issue({ hostname: "localhost", action: "login" });
  await routeTurnstileScript(page, SITE_KEY, { login: token });
  const check = page.getByRole("group", { name: "Verification check" });
  const logIn = async (password: string) => {
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password", { exact: true }).fill(password);
    await page.getByRole("button", { name: "Log in" }).click();
  };

  // Below the account's threshold: no check, a wrong password is just wrong.
  await page.goto("/login");
  await logIn("not-the-password-1");
  await expect(page.getByText("The email or password is incorrect.")).toBeVisible();
  await expect(check).toHaveCount(0);

  // Someone else guesses (four more tries): the account is now past its threshold of five.
  for (let i = 0; i < 4; i++) {
    const res = await page.request.post(`${server.url}/trpc/auth.login`, {
      headers: { origin: server.url, "content-type": "application/json" },
      data: { json: { email, password: `guess-${i}-xxxxxx` } },
    });
    expect(res.status()).toBe(401);
  }

  // The right password is not refused: the form asks for the check, then logs in.
  await logIn(PASSWORD);
  await expect(page.getByText(/complete the verification check/i)).toBeVisible();
  await expect(check.getByRole("button", { name: "Verify you are human" })).toBeVisible();
  await snap(page, testInfo, "03-login-captcha-asked");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(check.getByText("Complete the verification check first.")).toBeVisible();
  await check.getByRole("button", { name: "Verify you are human" }).click();
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("heading", { level: 1, name: /welcome/i })).toBeVisible();
  expect(siteverify.requests.at(-1)?.form).toMatchObject({ secret: SECRET, response: token });
});
