import { getRouting, setRouting } from "@cac/core";
import { adminProcedure } from "../../trpc";
import { routingIdInput, routingOutput, setRoutingInput } from "./routing.schema";

/** Who a button rings and how (owners and admins: routing is part of a button's setup). */
export const getRoutingProcedure = adminProcedure
  .input(routingIdInput)
  .output(routingOutput)
  .query(({ ctx, input }) => getRouting(ctx, ctx.account.id, input.id));

export const setRoutingProcedure = adminProcedure
  .input(setRoutingInput)
  .output(routingOutput)
  .mutation(({ ctx, input }) => {
    const { id, ...routing } = input;
    return setRouting(ctx, ctx.account.id, id, routing);
  });
