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
import { getRoutingProcedure, setRoutingProcedure } from "./routing";

export const buttonsRouter = router({
  list: listButtonsProcedure,
  get: getButtonProcedure,
  create: createButtonProcedure,
  update: updateButtonProcedure,
  setEnabled: setButtonEnabledProcedure,
  duplicate: duplicateButtonProcedure,
  delete: deleteButtonProcedure,
  removeLogo: removeLogoProcedure,
  routing: getRoutingProcedure,
  setRouting: setRoutingProcedure,
  installs: installsProcedure,
  emailInstructions: emailInstructionsProcedure,
});
