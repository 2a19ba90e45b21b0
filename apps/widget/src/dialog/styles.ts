/**
 * The dialog's styles, adopted into the button's shadow root (nothing leaks in or out). The
 * entrance animation runs only for visitors who have not asked for reduced motion.
 *
 * Themes: the dialog's class is the button's theme. Its colors are variables: light by default,
 * `dark` always, `auto` when the visitor's system is dark. The surfaces (`--bg`) match
 * `widgetSurfaces` in @cac/core's button fields, which the portal's contrast check uses.
 */
export const surfaces = { light: "#ffffff", dark: "#1f2023" };
const dark = `--bg:${surfaces.dark};--fg:#ececec;--mu:#c8c8c8;--ln:#8e8e8e;--er:#ff8a80;--nb:#2c2d31;color-scheme:dark`;

export const css = `
.d{--bg:${surfaces.light};--fg:#1a1a1a;--mu:#444;--ln:#767676;--er:#b3261e;--nb:#f3f4f6}
.dark{${dark}}
@media (prefers-color-scheme:dark){.auto{${dark}}}
.d{position:fixed;z-index:2147483001;right:20px;bottom:var(--o,84px);
width:min(360px,calc(100vw - 24px));max-height:calc(100vh - var(--o,84px) - 16px);overflow:auto;box-sizing:border-box;
background:var(--bg);color:var(--fg);border-radius:14px;box-shadow:0 12px 40px rgba(0,0,0,.3);font:400 15px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}
.d[hidden]{display:none}
.bottom-left .d{right:auto;left:20px}
.inline .d{right:auto;bottom:auto;left:50%;top:50%;transform:translate(-50%,-50%);max-height:calc(100vh - 32px)}
:host(.pv) .d{position:absolute;max-height:calc(100% - var(--o,84px) - 16px);width:min(340px,calc(100% - 24px))}
:host(.pv) .inline .d{bottom:auto;max-height:calc(100% - 32px)}
@media (max-width:480px){:host(:not(.pv)) .d{left:8px;right:8px;bottom:8px;top:auto;transform:none;width:auto;max-height:calc(100vh - 16px)}}
@media (prefers-reduced-motion:no-preference){.d{animation:in .16s ease-out}
@keyframes in{from{opacity:0;translate:0 8px}}}
.hd{display:flex;align-items:center;gap:10px;padding:14px 14px 14px 18px;background:var(--b);color:var(--t);border-radius:14px 14px 0 0}
.hd img{width:36px;height:36px;object-fit:contain;border-radius:8px;background:#fff;flex:none}
.ht{flex:1;min-width:0}
.hd h2{margin:0;font-size:17px;font-weight:600;line-height:1.3;overflow-wrap:anywhere}
.hd p{font-size:13.5px}
.x{all:unset;box-sizing:border-box;width:32px;height:32px;border-radius:8px;display:grid;place-items:center;cursor:pointer;font-size:22px;line-height:1}
.x:hover{background:rgba(127,127,127,.25)}
.bd{padding:16px 18px 18px;display:grid;gap:12px}
p{margin:0}
.st{font-weight:600}
.mt{color:var(--mu)}
.sm{font-size:13.5px}
.big{font-size:28px;font-weight:600;font-variant-numeric:tabular-nums;text-align:center}
.ctr{text-align:center}
form{display:grid;gap:4px}
label{font-weight:600;font-size:14px;margin-top:6px}
label span{font-weight:400;color:var(--mu)}
input,textarea{font:inherit;color:inherit;background:var(--bg);border:1px solid var(--ln);border-radius:8px;padding:9px 10px;width:100%;box-sizing:border-box}
textarea{resize:vertical;min-height:64px}
input[aria-invalid=true],textarea[aria-invalid=true]{border-color:var(--er);border-width:2px}
.e{color:var(--er);font-size:13.5px}
.e:empty{display:none}
.n{background:var(--nb);border-radius:8px;padding:8px 10px;font-size:14px}
.n:empty{display:none}
.r{display:flex;gap:8px;flex-wrap:wrap}
.r>*{flex:1}
.btn{all:unset;box-sizing:border-box;text-align:center;cursor:pointer;padding:10px 14px;border-radius:10px;font-weight:600;font-size:15px;border:1px solid var(--ln);color:var(--fg);background:var(--bg)}
.btn[aria-pressed=true]{background:var(--fg);color:var(--bg)}
.pr{background:var(--b);color:var(--t);border-color:var(--b);margin-top:8px}
.hang{background:#b3261e;color:#fff;border-color:#b3261e}
.btn:disabled{opacity:.6;cursor:default}
.btn:focus-visible,.x:focus-visible{outline:3px solid #1a73e8;outline-offset:2px}
input:focus-visible,textarea:focus-visible{outline:3px solid #1a73e8;outline-offset:1px}
.kp{display:grid;grid-template-columns:repeat(3,1fr);gap:6px}
.kp .btn{font-size:18px;padding:8px}
.dg{text-align:center;font-variant-numeric:tabular-nums;letter-spacing:2px;min-height:1.45em}
.cf{padding:0 18px 14px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
`;
