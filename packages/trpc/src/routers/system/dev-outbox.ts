import { devOutbox } from "@cac/core";
import { publicProcedure } from "../../trpc";

/** The local mailer's messages, in development and on this machine only (see devOutbox). */
export const devOutboxProcedure = publicProcedure.query(({ ctx }) => devOutbox(ctx));
