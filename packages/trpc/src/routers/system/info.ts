import { publicProcedure } from "../../trpc";

/** Which adapters are running, so the portal can say plainly what is local and what is real. */
export const infoProcedure = publicProcedure.query(({ ctx }) => ({
  production: ctx.settings.production,
  modes: ctx.settings.modes,
}));
