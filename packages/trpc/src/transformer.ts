import { TRPCError } from "@trpc/server";
import superjson from "superjson";

/**
 * The deepest input accepted. Real inputs nest a few levels (a button's hours are the deepest, at
 * about six with superjson's envelope); superjson recurses once per level, so a request nested
 * thousands deep would overflow the stack and answer with the engine's message.
 */
export const MAX_INPUT_DEPTH = 32;

/** Whether a parsed JSON value nests deeper than `limit`, found without recursion. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== "object") continue;
    if (depth > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** superjson, refusing inputs nested deeper than MAX_INPUT_DEPTH before it walks them. */
export const transformer = {
  input: {
    serialize: (value: unknown) => superjson.serialize(value),
    deserialize: (payload: unknown) => {
      if (nestsDeeperThan(payload, MAX_INPUT_DEPTH)) {
        throw new TRPCError({ code: "BAD_REQUEST", message: "The request is too deeply nested." });
      }
      return superjson.deserialize(payload as Parameters<typeof superjson.deserialize>[0]);
    },
  },
  output: superjson,
};
