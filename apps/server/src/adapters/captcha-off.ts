import type { Captcha } from "@cac/core";

/** No captcha configured: nothing is asked of the browser and every check passes as "not required". */
export const captchaOff: Captcha = {
  mode: "off",
  siteKey: null,
  async verify() {
    return { ok: true };
  },
};
