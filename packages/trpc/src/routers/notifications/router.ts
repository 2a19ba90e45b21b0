import { router } from "../../trpc";
import {
  configProcedure,
  devicesProcedure,
  sendTestProcedure,
  subscribeProcedure,
  touchProcedure,
  unsubscribeProcedure,
} from "./devices";
import { preferencesProcedure, updatePreferencesProcedure } from "./preferences";

export const notificationsRouter = router({
  config: configProcedure,
  devices: devicesProcedure,
  subscribe: subscribeProcedure,
  touch: touchProcedure,
  unsubscribe: unsubscribeProcedure,
  preferences: preferencesProcedure,
  updatePreferences: updatePreferencesProcedure,
  sendTest: sendTestProcedure,
});
