import { z } from "zod";
import { signalPayloadSchema } from "../call/call.schema";

export const sessionIdInput = z.object({ sessionId: z.uuid("This call does not exist.") });
export const agentSignalInput = sessionIdInput.extend({ payload: signalPayloadSchema });
export const availabilityInput = z.object({ available: z.boolean() });
