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
import { adminProcedure, authedProcedure } from "../../trpc";
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

export const createButtonProcedure = adminProcedure
  .input(createButtonInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await createButton(ctx, ctx.account.id, input)),
  );

export const updateButtonProcedure = adminProcedure
  .input(updateButtonInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await updateButton(ctx, ctx.account.id, input.id, input.fields)),
  );

export const setButtonEnabledProcedure = adminProcedure
  .input(setEnabledInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await setButtonEnabled(ctx, ctx.account.id, input.id, input.enabled)),
  );

export const duplicateButtonProcedure = adminProcedure
  .input(buttonIdInput)
  .output(buttonOutput)
  .mutation(async ({ ctx, input }) =>
    toButtonView(ctx.settings, await duplicateButton(ctx, ctx.account.id, input.id)),
  );

export const deleteButtonProcedure = adminProcedure
  .input(buttonIdInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => deleteButton(ctx, ctx.account.id, input.id));
