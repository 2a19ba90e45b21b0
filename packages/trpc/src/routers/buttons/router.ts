import { router } from "../../trpc";
import {
  createButtonProcedure,
  deleteButtonProcedure,
  duplicateButtonProcedure,
  getButtonProcedure,
  listButtonsProcedure,
  setButtonEnabledProcedure,
  updateButtonProcedure,
} from "./crud";
import { emailInstructionsProcedure, installsProcedure } from "./install";
import { removeLogoProcedure } from "./logo";

export const buttonsRouter = router({
  list: listButtonsProcedure,
  get: getButtonProcedure,
  create: createButtonProcedure,
  update: updateButtonProcedure,
  setEnabled: setButtonEnabledProcedure,
  duplicate: duplicateButtonProcedure,
  delete: deleteButtonProcedure,
  removeLogo: removeLogoProcedure,
  installs: installsProcedure,
  emailInstructions: emailInstructionsProcedure,
});
