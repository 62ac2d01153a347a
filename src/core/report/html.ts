// The self-contained HTML report: the dashboard's own front-end bundle inlined under a nonce CSP, the view-model
// embedded as inert JSON. Nothing is fetched; text from files can neither close a tag nor become markup.
import type { DashboardViewModel } from './viewModel';

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * JSON that is safe inside <script type="application/json">: `<`, `>` and `&` become \u escapes, so a model named
 * `</script><script>…` cannot end the block; U+2028/2029 are escaped for old JS parsers.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** A script's text inside <script>: `</script` and `<!--` would change how the HTML parser ends the element. */
export function scriptText(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function reportCsp(nonce: string): string {
  return `default-src 'none'; img-src data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; font-src data:; base-uri 'none'; form-action 'none'`;
}

export function renderReportHtml(vm: DashboardViewModel, bundleJs: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/=_-]{16,}$/.test(nonce)) throw new Error('nonce must be at least 16 base64 characters');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${escapeHtml(reportCsp(nonce))}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="generator" content="kvlens report">',
    `<title>${escapeHtml(vm.title)}</title>`,
    '</head>',
    '<body>',
    `<noscript>This KV Lens report needs JavaScript to draw its tables and charts.</noscript>`,
    `<script type="application/json" id="kvlens-data">${jsonForScript(vm)}</script>`,
    `<script nonce="${nonce}">${scriptText(bundleJs)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
