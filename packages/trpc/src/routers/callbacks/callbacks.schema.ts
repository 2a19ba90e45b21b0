import { text } from "@cac/core/domain";
import { z } from "zod";

export const listCallbacksInput = z
  .object({
    onlyOpen: z.boolean().default(false),
    /** The `nextCursor` of the previous page; absent or null for the first page. */
    cursor: text().max(200).nullish(),
    limit: z.number().int().min(1).max(100).default(50),
  })
  .default({ onlyOpen: false, limit: 50 });

export const setHandledInput = z.object({
  id: z.uuid("This callback request does not exist."),
  handled: z.boolean(),
});

/** One page of the account's callback requests, newest first. */
export const callbacksPageOutput = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      /** Null once the button was deleted. */
      buttonId: z.string().nullable(),
      name: z.string(),
      phone: z.string(),
      message: z.string().nullable(),
      handledAt: z.date().nullable(),
      createdAt: z.date(),
    }),
  ),
  nextCursor: z.string().nullable(),
});
