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
import { z } from "zod";
import { authedProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import {
  buttonIdInput,
  buttonOutput,
  createButtonInput,
  setEnabledInput,
  updateButtonInput,
} from "./buttons.schema";

export const listButtonsProcedure = authedProcedure
  .output(z.array(buttonOutput))
  .query(async ({ ctx }) =>
    (await listButtons(ctx, ctx.account.id)).map((b) => toButtonView(ctx.settings, b)),
  );

export const getButtonProcedure = authedProcedure
  .input(buttonIdInput)
  .output(buttonOutput)
  .query(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await getButton(ctx, ctx.account.id, input.id)),
  );

export const createButtonProcedure = authedProcedure
  .input(createButtonInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await createButton(ctx, ctx.account.id, input)),
  );

export const updateButtonProcedure = authedProcedure
  .input(updateButtonInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await updateButton(ctx, ctx.account.id, input.id, input.fields)),
  );

export const setButtonEnabledProcedure = authedProcedure
  .input(setEnabledInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await setButtonEnabled(ctx, ctx.account.id, input.id, input.enabled)),
  );

export const duplicateButtonProcedure = authedProcedure
  .input(buttonIdInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await duplicateButton(ctx, ctx.account.id, input.id)),
  );

export const deleteButtonProcedure = authedProcedure
  .input(buttonIdInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => deleteButton(ctx, ctx.account.id, input.id));
