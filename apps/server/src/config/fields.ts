import { z } from "zod";

/** An empty variable (`FOO=` in a .env file) counts as unset. */
export const emptyToUndefined = (value: unknown) => (value === "" ? undefined : value);
export const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
