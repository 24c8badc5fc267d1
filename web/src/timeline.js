// The timeline: rotations, ejections, health changes (observed in the cluster state and reported
// by the proxy), risk events and autopilot decisions (engine), and actions taken from this page,
// newest first, each with its plain-English reason.
import { fmt, h } from './util.js';

export class Timeline {
  constructor(list, filters, limit = 300) {
    this.list = list;
    this.limit = limit;
    this.entries = [];
    this.hidden = new Set();
    this.seq = 0;
    for (const box of filters) {
      box.addEventListener('change', () => {
        if (box.checked) this.hidden.delete(box.dataset.source);
        else this.hidden.add(box.dataset.source);
        this.render();
      });
    }
  }

  add(entry) {
    this.entries.unshift({ t: Date.now(), severity: 'info', ...entry, seq: ++this.seq });
    if (this.entries.length > this.limit) this.entries.length = this.limit;
    this.dirty = true;
  }

  render() {
    this.dirty = false;
    const items = this.entries.filter((e) => !this.hidden.has(e.source)).slice(0, 150);
    this.list.replaceChildren(...(items.length ? items.map(entryItem) : [h('li', { class: 'empty', text: 'Nothing yet: events appear here as they happen.' })]));
  }
}

export function entryItem(e) {
  return h('li', { class: `ev sev-${e.severity} src-${e.source}`, 'data-kind': e.kind, 'data-source': e.source, 'data-subject': e.subject || '' },
    h('time', { datetime: new Date(e.t).toISOString(), text: e.before ? 'earlier' : fmt.time(e.t) }),
    h('span', { class: 'src', text: e.source }),
    h('span', { class: 'kind', text: e.kind }),
    e.subject ? h('span', { class: 'subj', text: e.subject }) : null,
    h('span', { class: 'why', text: e.reason }));
}

// New items of a bounded, append-only list that has no ids (the proxy's /api/v1/events): the
// longest suffix of `before` that is a prefix of `now` is what both have; the rest of `now` is new.
export function newTail(before, now, same = (a, b) => JSON.stringify(a) === JSON.stringify(b)) {
  if (!before || before.length === 0) return now.slice();
  for (let overlap = Math.min(before.length, now.length); overlap > 0; overlap--) {
    let ok = true;
    for (let i = 0; i < overlap && ok; i++) ok = same(before[before.length - overlap + i], now[i]);
    if (ok) return now.slice(overlap);
  }
  return now.slice();
}
