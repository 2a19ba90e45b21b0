/** Types for build.mjs, so tests and the e2e spec can import it. */
export type BuiltName = "widget.js" | "widget-call.js" | "widget-twilio.js" | `widget-${string}.js`;
export declare const distDir: string;
export declare const names: BuiltName[];
/** gzip budgets; widget-twilio.js (the Twilio Voice SDK, Twilio calls only) has none. */
export declare const budgets: { "widget.js": number; "widget-call.js": number } & Partial<
  Record<BuiltName, number>
>;
export type BuiltFile = {
  name: BuiltName;
  code: Uint8Array;
  bytes: number;
  gzip: number;
};
export declare function buildWidget(options?: { write?: boolean }): Promise<BuiltFile[]>;
/** The language codes, one per string table in src/i18n. */
export declare function widgetLanguages(): string[];
/** The esbuild defines the bundles are built with (the language list). */
export declare function widgetDefines(): Record<string, string>;
