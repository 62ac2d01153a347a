// The KV-cache type comparison: what q8_0 or q4_0 would buy on this target, invalid ones greyed with the reason.
import type { TargetView } from '../../src/core/report/viewModel';
import { cell, h, table } from '../dom';

export function kvTypesView(t: TargetView): HTMLElement {
  if (!t.whatIfs.length) return h('p', { class: 'empty' }, `The estimate for ${t.name} has no cache-type comparison.`);
  const rows = t.whatIfs.map((w) => h('tr', { class: [w.invalid ? 'invalid' : '', w.current ? 'current' : ''].filter(Boolean).join(' ') || undefined },
    h('th', { scope: 'row' }, w.cacheTypes, w.current ? h('span', { class: 'tag' }, 'current') : null),
    h('td', null, w.window),
    cell(w.memory), cell(w.perToken), cell(w.users), cell(w.decode),
    h('td', { class: w.invalid ? 'reason' : w.fits ? 'ok' : 'bad' }, w.invalid ? `Not usable: ${w.invalid}` : w.fits ? '✓ fits' : '✗ does not fit',
      w.note ? h('div', { class: 'note' }, w.note) : null)));
  return h('section', { class: 'kvtypes table-scroll' },
    table(`KV-cache types on ${t.name}`, ['Cache K/V', 'Window', 'KV memory', 'Per token', 'Users that fit', 'Decode per user', 'Status'], rows, { captionVisible: true }));
}
