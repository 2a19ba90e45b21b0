/** Types for build.mjs, so tests and the e2e spec can import it. */
export declare const distDir: string;
export declare const budgets: Record<"widget.js" | "widget-call.js", number>;
export type BuiltFile = {
  name: "widget.js" | "widget-call.js";
  code: Uint8Array;
  bytes: number;
  gzip: number;
};
export declare function buildWidget(options?: { write?: boolean }): Promise<BuiltFile[]>;
