import { router } from "../../trpc";
import { blockIpProcedure, listBlocksProcedure, unblockIpProcedure } from "./blocks";
import { addBlockProcedure, clearFlagProcedure, listEventsProcedure, listFlagsProcedure } from "./operator";

/** Blocked and flagged IPs: an owner's own blocks, and the operators' review of every flag. */
export const abuseRouter = router({
  blockIp: blockIpProcedure,
  unblockIp: unblockIpProcedure,
  listBlocks: listBlocksProcedure,
  flags: listFlagsProcedure,
  clearFlag: clearFlagProcedure,
  addBlock: addBlockProcedure,
  events: listEventsProcedure,
});
