import { openCustomerPortal, startCheckout } from "@cac/core";
import { ownerProcedure } from "../../trpc";
import { urlOutput } from "../output.schema";
import { checkoutInput } from "./billing.schema";

/** A Stripe Checkout URL for the chosen paid plan (owners only). */
export const checkoutProcedure = ownerProcedure
  .input(checkoutInput)
  .output(urlOutput)
  .mutation(({ ctx, input }) =>
    startCheckout(ctx, { accountId: ctx.account.id, email: ctx.user.email }, input.plan),
  );

/** A Stripe Customer Portal URL to manage the subscription (owners only). */
export const portalProcedure = ownerProcedure
  .output(urlOutput)
  .mutation(({ ctx }) => openCustomerPortal(ctx, ctx.account.id));
