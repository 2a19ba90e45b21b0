import { router } from "../../trpc";
import { devOutboxProcedure } from "./dev-outbox";
import { infoProcedure } from "./info";

export const systemRouter = router({
  info: infoProcedure,
  devOutbox: devOutboxProcedure,
});
