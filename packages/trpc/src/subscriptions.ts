import type { AnyProcedure } from "@trpc/server";
import { appRouter } from "./routers/app";

const procedures = (appRouter._def as unknown as { procedures: Record<string, AnyProcedure> }).procedures;

/** The paths of the API's subscriptions ("phone.events"…): each request to one holds a live stream. */
export const subscriptionPaths: ReadonlySet<string> = new Set(
  Object.entries(procedures)
    .filter(([, procedure]) => procedure._def.type === "subscription")
    .map(([path]) => path),
);
