import { z } from "zod";
import { text } from "./validation";

/** Longest note a team member may add, in characters. */
export const NOTE_MAX_LENGTH = 2000;
/** Most tags a call may carry, and the longest tag, in characters. */
export const TAGS_MAX = 10;
export const TAG_MAX_LENGTH = 32;

/** The callback request's work states, in order (done may go back to new). */
export const callbackWorkStatuses = ["new", "assigned", "done"] as const;
export type CallbackWorkStatus = (typeof callbackWorkStatuses)[number];

/**
 * A tag as it is stored: trimmed, inner whitespace collapsed to one space, lower case, so
 * "Sales Lead" and " sales  lead" are one tag and the filter finds both.
 */
export function normalizeTag(tag: string): string {
  return tag.trim().replace(/\s+/g, " ").toLowerCase();
}

/** A note's text: trimmed, not empty, at most NOTE_MAX_LENGTH characters (line breaks kept). */
export const noteBodySchema = text()
  .trim()
  .min(1, "Write the note first.")
  .max(NOTE_MAX_LENGTH, `Keep the note under ${NOTE_MAX_LENGTH} characters.`);

/** One tag, normalized; refused when empty or too long once normalized. */
export const tagSchema = text()
  .overwrite(normalizeTag)
  .min(1, "A tag cannot be empty.")
  .max(TAG_MAX_LENGTH, `Keep each tag under ${TAG_MAX_LENGTH} characters.`);

/** A call's whole set of tags, normalized and without repeats. */
export const tagListSchema = z
  .array(tagSchema)
  .max(TAGS_MAX, `A call can have at most ${TAGS_MAX} tags.`)
  .transform((tags) => [...new Set(tags)]);
