import {
  listPushDevices,
  notificationsConfig,
  sendTestPush,
  subscribePush,
  touchPushDevice,
  unsubscribePush,
} from "@cac/core";
import { authedProcedure } from "../../trpc";
import { okOutput } from "../output.schema";
import {
  configOutput,
  deviceIdInput,
  devicesOutput,
  subscribeInput,
  subscribeOutput,
  tallyOutput,
  touchInput,
} from "./notifications.schema";

/** Whether this server sends push, and the VAPID key browsers subscribe with. */
export const configProcedure = authedProcedure
  .output(configOutput)
  .query(({ ctx }) => notificationsConfig(ctx));

/** The signed-in person's devices (never their endpoints or keys). */
export const devicesProcedure = authedProcedure
  .output(devicesOutput)
  .query(({ ctx }) => listPushDevices(ctx, ctx.user.id));

export const subscribeProcedure = authedProcedure
  .input(subscribeInput)
  .output(subscribeOutput)
  .mutation(({ ctx, input }) => subscribePush(ctx, ctx.user.id, input));

/** The portal is open on this device (on open, and every few minutes while open). */
export const touchProcedure = authedProcedure
  .input(touchInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => touchPushDevice(ctx, ctx.user.id, input.endpoint));

export const unsubscribeProcedure = authedProcedure
  .input(deviceIdInput)
  .output(okOutput)
  .mutation(({ ctx, input }) => unsubscribePush(ctx, ctx.user.id, input.id));

export const sendTestProcedure = authedProcedure
  .output(tallyOutput)
  .mutation(({ ctx }) => sendTestPush(ctx, ctx.account.id, ctx.user.id));
