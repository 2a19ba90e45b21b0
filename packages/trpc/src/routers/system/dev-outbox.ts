import { devOutbox } from "@cac/core";
import { publicProcedure } from "../../trpc";
import { devOutboxOutput } from "./system.schema";

/** The local mailer's messages, in development and on this machine only (see devOutbox). */
export const devOutboxProcedure = publicProcedure.output(devOutboxOutput).query(({ ctx }) => devOutbox(ctx));
