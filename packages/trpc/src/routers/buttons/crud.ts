import {
  createButton,
  deleteButton,
  duplicateButton,
  getButton,
  listButtons,
  setButtonEnabled,
  toButtonView,
  updateButton,
} from "@cac/core";
import { authedProcedure } from "../../trpc";
import { buttonIdInput, createButtonInput, setEnabledInput, updateButtonInput } from "./buttons.schema";

export const listButtonsProcedure = authedProcedure.query(async ({ ctx }) =>
  (await listButtons(ctx, ctx.account.id)).map((b) => toButtonView(ctx.settings, b)),
);

export const getButtonProcedure = authedProcedure
  .input(buttonIdInput)
  .query(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await getButton(ctx, ctx.account.id, input.id)),
  );

export const createButtonProcedure = authedProcedure
  .input(createButtonInput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await createButton(ctx, ctx.account.id, input)),
  );

export const updateButtonProcedure = authedProcedure
  .input(updateButtonInput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await updateButton(ctx, ctx.account.id, input.id, input.fields)),
  );

export const setButtonEnabledProcedure = authedProcedure
  .input(setEnabledInput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await setButtonEnabled(ctx, ctx.account.id, input.id, input.enabled)),
  );

export const duplicateButtonProcedure = authedProcedure
  .input(buttonIdInput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await duplicateButton(ctx, ctx.account.id, input.id)),
  );

export const deleteButtonProcedure = authedProcedure
  .input(buttonIdInput)
  .mutation(({ ctx, input }) => deleteButton(ctx, ctx.account.id, input.id));
