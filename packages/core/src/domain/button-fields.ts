/** The editable fields of a call button, validated with a message per field. */
import type { WidgetLanguage } from "@cac/db";
import { z } from "zod";
import { domainPatternProblem, normalizeDomainPattern } from "./allowed-domains";
import { findHoursProblems, isValidTimeZone } from "./schedule";
import { text, usPhoneSchema } from "./validation";

const hexColor = text()
  .trim()
  .regex(/^#[0-9a-fA-F]{6}$/, "Use a color like #1d4ed8.")
  .transform((v) => v.toLowerCase());

export const buttonIcons = ["phone", "headset", "chat", "none"] as const;

export const buttonStyleSchema = z.object({
  background: hexColor,
  text: hexColor,
  size: z.enum(["small", "medium", "large"]),
  shape: z.enum(["pill", "rounded", "square", "circle"]),
  position: z.enum(["bottom-right", "bottom-left", "inline"]),
  icon: z.enum(buttonIcons),
});

/** The widget dialog's colors; "auto" follows the visitor's `prefers-color-scheme`. */
export const buttonThemes = ["light", "dark", "auto"] as const;

/**
 * The dialog's surface in each theme (the widget's styles.ts holds the same values; its test
 * checks they match). The button color must stand out against both for the primary action.
 */
export const widgetSurfaces = { light: "#ffffff", dark: "#1f2023" } as const;

/**
 * The languages the widget speaks: @cac/db's `widgetLanguages`, repeated here because this folder
 * stays free of the database package; `sameLanguages` fails typecheck when the two lists differ.
 */
export const widgetLanguages = ["en", "es"] as const satisfies readonly WidgetLanguage[];
const sameLanguages: WidgetLanguage extends (typeof widgetLanguages)[number] ? true : never = true;
void sameLanguages;

/** The language the widget spoke to a visitor, sent with a call or a callback request. */
export const visitorLanguageSchema = z.enum(widgetLanguages, "Send en or es.");

/** "auto" follows the visitor's browser (the first language the widget speaks, else English). */
export const buttonLanguages = ["auto", ...widgetLanguages] as const;

/** An owner's text in one language: empty means "none" (the default for that language). */
const ownText = (max: number, tooLong: string) =>
  text()
    .trim()
    .max(max, tooLong)
    .optional()
    .transform((v) => v || undefined);

/** The owner's button text and closed message in each language the widget speaks. */
export const buttonTextsSchema = z
  .partialRecord(
    z.enum(widgetLanguages),
    z
      .object({
        label: ownText(40, "Use at most 40 characters."),
        closedMessage: ownText(300, "Use at most 300 characters."),
      })
      .strict(),
  )
  // Only the texts given are kept, so the stored object stays small and a language with none is absent.
  .transform((texts) => {
    const kept: Partial<
      Record<(typeof widgetLanguages)[number], { label?: string; closedMessage?: string }>
    > = {};
    for (const lang of widgetLanguages) {
      const { label, closedMessage } = texts[lang] ?? {};
      if (label || closedMessage)
        kept[lang] = { ...(label ? { label } : {}), ...(closedMessage ? { closedMessage } : {}) };
    }
    return kept;
  });

const intervalSchema = z.object({
  start: z.number().int().min(0, "Hours start at 00:00.").max(1439, "Hours end at 24:00."),
  end: z.number().int().min(1, "Hours start at 00:00.").max(1440, "Hours end at 24:00."),
});

export const weeklyHoursSchema = z
  .array(z.array(intervalSchema).max(6, "At most 6 intervals a day."))
  .length(7, "Give hours for all seven days (an empty day is closed).")
  .superRefine((hours, ctx) => {
    for (const [, message] of findHoursProblems(hours)) ctx.addIssue({ code: "custom", message });
  });

const isoDate = text()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use dates like 2026-12-25.")
  .refine(
    (v) =>
      !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    {
      message: "This date does not exist.",
    },
  );

export const buttonFieldsSchema = z
  .object({
    name: text().trim().min(1, "Give the button a name.").max(80, "Use at most 80 characters."),
    label: text().trim().min(1, "Enter the text shown on the button.").max(40, "Use at most 40 characters."),
    enabled: z.boolean().default(true),
    style: buttonStyleSchema,
    phoneNumber: usPhoneSchema.nullable().default(null),
    ringPortal: z.boolean(),
    // Send who is calling (referrer, campaign, device, local time); on unless turned off.
    collectContext: z.boolean().default(true),
    timezone: text().refine((tz) => tz.includes("/") && isValidTimeZone(tz), {
      message: "Choose a timezone like America/New_York.",
    }),
    hours: weeklyHoursSchema,
    holidays: z
      .array(isoDate)
      .max(200, "At most 200 holidays.")
      .transform((dates) => [...new Set(dates)].sort()),
    closedBehavior: z.enum(["hide", "message", "callback"]),
    // Optional for API callers that predate it: light, as those buttons always looked.
    theme: z.enum(buttonThemes).default("light"),
    // Opt-in: the widget pushes call and callback events to the page's Google Tag Manager.
    conversionEvents: z.boolean().default(false),
    // Optional for API callers that predate them: follow the visitor, with no texts of the owner's.
    language: z.enum(buttonLanguages, "Choose auto, en or es.").default("auto"),
    texts: buttonTextsSchema.default({}),
    allowedDomains: z
      .array(text().max(260).transform(normalizeDomainPattern))
      .max(50, "At most 50 domains.")
      .superRefine((patterns, ctx) => {
        for (const pattern of patterns) {
          const problem = domainPatternProblem(pattern);
          if (problem) ctx.addIssue({ code: "custom", message: problem });
        }
      })
      .transform((patterns) => [...new Set(patterns)]),
  })
  .superRefine((b, ctx) => {
    if (!b.phoneNumber && !b.ringPortal) {
      ctx.addIssue({
        code: "custom",
        path: ["phoneNumber"],
        message: "Choose where calls go: a phone number, the portal, or both.",
      });
    }
  });

export type ButtonFields = z.output<typeof buttonFieldsSchema>;
