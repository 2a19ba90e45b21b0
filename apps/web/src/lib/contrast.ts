// The WCAG contrast helpers live in the design system (@cac/ui), which checks its own themes with them.
export {
  AA_NON_TEXT,
  AA_NORMAL_TEXT,
  contrastRatio,
  formatRatio,
  normalizeHex,
  parseHex,
  relativeLuminance,
} from "@cac/ui";
