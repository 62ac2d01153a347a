// Element creation without innerHTML: every string lands in the page through textContent or an attribute value,
// so text from files (model names, paths, GGUF metadata) is shown literally and never parsed as HTML.
import type { Cell } from '../src/core/report/format';

type Child = Node | string | null | undefined | false;
export type Attrs = Record<string, string | number | boolean | undefined>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs | null, ...children: (Child | Child[])[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs | null, ...children: (Child | Child[])[]): HTMLElement;
export function h(tag: string, attrs?: Attrs | null, ...children: (Child | Child[])[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === false) continue;
    // No inline handlers or styles through attributes: the CSP forbids them and data must never become code.
    if (/^on/i.test(k) || k === 'style') throw new Error(`attribute ${k} is not allowed`);
    el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

/** A figure: its text, and a tooltip saying where it comes from or what is missing. */
export function cell(c: Cell, tag: 'td' | 'span' = 'td', extra?: Attrs): HTMLElement {
  const el = h(tag, { ...extra, title: c.title, class: [extra?.class, c.value === undefined ? 'missing' : 'num'].filter(Boolean).join(' ') }, c.text);
  if (c.value === undefined && c.title) {
    // Screen readers get the reason too, not just a dash.
    el.setAttribute('aria-label', `${c.text === '—' ? 'not available' : c.text}: ${c.title}`);
  }
  return el;
}

/** A real table with column headers a screen reader announces. */
export function table(caption: string, head: string[], rows: HTMLElement[], opts: { captionVisible?: boolean; className?: string } = {}): HTMLTableElement {
  return h('table', { class: opts.className ?? 'data' },
    h('caption', { class: opts.captionVisible ? undefined : 'sr-only' }, caption),
    h('thead', null, h('tr', null, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', null, rows));
}

export function clear(el: Element): void {
  while (el.firstChild) el.firstChild.remove();
}
