import { fileURLToPath } from "node:url";

// This file sits at the same depth under apps/server as the built bundle (src/ and dist/), so
// these paths hold both when the server runs from source and when it runs from dist/.

/** The policy shipped with the product, used when PRIVACY_POLICY_FILE is not set. */
export const defaultPrivacyPolicyFile = fileURLToPath(
  new URL("../content/privacy-policy.md", import.meta.url),
);
