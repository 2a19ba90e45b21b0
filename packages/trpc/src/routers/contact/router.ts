import { sendContactMessage } from "@cac/core";
import { publicProcedure, router } from "../../trpc";
import { contactInput, contactOutput } from "./contact.schema";

export const contactRouter = router({
  // Public, but still a portal mutation: JSON only, from the portal's own Origin (CSRF guard).
  send: publicProcedure
    .input(contactInput)
    .output(contactOutput)
    .mutation(({ ctx, input }) => sendContactMessage(ctx, input)),
});
