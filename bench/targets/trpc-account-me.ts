// One authenticated tRPC query: account.me with a session cookie. The session is validated
// on every request (token split, joined select, SHA-256 compare in constant time).
import { signUpAndVerify, startRealApp } from "../lib/real-app";
import { defineTarget } from "../lib/target";

export default defineTarget({
  name: "trpc-account-me",
  description: "real app, GET /trpc/account.me with a session cookie",
  async start() {
    const app = await startRealApp();
    const { email, cookie } = await signUpAndVerify(app);
    return {
      url: `${app.url}/trpc/account.me`,
      headers: { cookie },
      expectBody: email,
      notes: { database: app.db.kind },
      stop: () => app.close(),
    };
  },
});
