// The Control view: drain / enable / re-weight a backend (proxy admin API) and the engine's
// controls (autopilot freeze/enable, preset, chaos run, step). Every action is logged here and in
// the timeline; its effect then shows in the timeline as an observed change.
import { fmt, h } from './util.js';
import { stateText } from './model.js';

export class ControlView {
  constructor(api, backendsBox, engineBox, logList, timeline, onDone) {
    this.api = api;
    this.backendsBox = backendsBox;
    this.engineBox = engineBox;
    this.logList = logList;
    this.timeline = timeline;
    this.onDone = onDone;
    this.engineBuilt = false;
  }

  async act(label, url, body, subject) {
    try {
      await this.api.post(url, body);
      this.log({ kind: 'action', subject, reason: `${label}: accepted`, severity: 'info' });
      return true;
    } catch (e) {
      const why = e.status === 401 ? `${label}: refused, the admin token is missing or wrong` : `${label}: failed, ${e.message}`;
      this.log({ kind: 'action-failed', subject, reason: why, severity: 'warning' });
      return false;
    } finally {
      this.onDone();
    }
  }

  log(entry) {
    this.timeline.add({ source: 'control', ...entry });
    this.logList.prepend(h('li', { class: `ev sev-${entry.severity}` }, h('time', { text: fmt.time(Date.now()) }), h('span', { class: 'subj', text: entry.subject }), h('span', { class: 'why', text: entry.reason })));
  }

  backendUrl(cluster, backend, action) {
    return `/api/v1/clusters/${encodeURIComponent(cluster)}/backends/${encodeURIComponent(backend)}/${action}`;
  }

  drain(cluster, backend) { return this.act(`drain ${backend}`, this.backendUrl(cluster, backend, 'drain'), undefined, `${cluster}/${backend}`); }
  enable(cluster, backend) { return this.act(`enable ${backend}`, this.backendUrl(cluster, backend, 'enable'), undefined, `${cluster}/${backend}`); }
  weight(cluster, backend, w) { return this.act(`weight ${backend} = ${w}`, this.backendUrl(cluster, backend, 'weight'), { weight: w }, `${cluster}/${backend}`); }

  // One row of actions for a backend (also used in the Monitor's side panel).
  actionsFor(cluster, b) {
    const w = h('input', { type: 'number', min: '0', step: '0.1', value: String(b.weight ?? 1), 'aria-label': `weight of ${b.name}`, class: 'w' });
    return h('span', { class: 'actions' },
      h('button', { type: 'button', 'data-action': 'drain', 'data-backend': b.name, disabled: b.draining, onclick: () => this.drain(cluster, b.name) }, 'Drain'),
      h('button', { type: 'button', 'data-action': 'enable', 'data-backend': b.name, disabled: !b.draining, onclick: () => this.enable(cluster, b.name) }, 'Enable'),
      w,
      h('button', { type: 'button', 'data-action': 'weight', 'data-backend': b.name, onclick: () => this.weight(cluster, b.name, Number(w.value)) }, 'Set weight'));
  }

  renderBackends(model, features) {
    if (!features.proxy) {
      this.backendsBox.replaceChildren(h('p', { class: 'na', text: 'Not available: no proxy in this process.' }));
      return;
    }
    // Rebuilding would lose a half-typed weight: only rebuild when states change.
    const sig = [...model.clusters.values()].map((c) => c.backends.map((b) => `${b.name}:${b.state}:${b.weight}:${b.draining}`).join(',')).join(';');
    if (sig === this.sig) return;
    this.sig = sig;
    const focus = document.activeElement && this.backendsBox.contains(document.activeElement) ? [document.activeElement.dataset.action, document.activeElement.dataset.backend] : null;
    const parts = [];
    for (const [name, c] of model.clusters) {
      parts.push(h('table', { class: 'grid' },
        h('caption', { text: `cluster ${name} · policy ${c.info.policy}` }),
        h('thead', {}, h('tr', {}, ...['backend', 'address', 'state', 'weight', 'actions'].map((x) => h('th', { scope: 'col', text: x })))),
        h('tbody', {}, ...c.backends.map((b) => h('tr', { 'data-backend': b.name },
          h('th', { scope: 'row', text: b.name }),
          h('td', { text: b.address }),
          h('td', { class: `st-${b.state}`, text: stateText(b.state) }),
          h('td', { text: `${fmt.num(b.weight, 2)} (effective ${fmt.num(b.effective_weight, 2)})` }),
          h('td', {}, this.actionsFor(name, b)))))));
    }
    this.backendsBox.replaceChildren(...parts);
    if (focus) this.backendsBox.querySelector(`[data-action="${focus[0]}"][data-backend="${focus[1]}"]`)?.focus();
  }

  renderEngine(features, snapshot) {
    if (!features.engine) {
      if (!this.engineBuilt) {
        this.engineBox.replaceChildren(h('p', { class: 'na', text: 'Not available: no engine in this process (autopilot, presets, chaos runs and stepping need it).' }));
      }
      return;
    }
    if (!this.engineBuilt) {
      this.engineBuilt = true;
      this.mode = h('strong', { id: 'ap-mode', text: '?' });
      this.preset = h('select', { id: 'preset', 'aria-label': 'policy preset' }, ...['safe', 'normal', 'performance'].map((p) => h('option', { value: p, text: p })));
      this.service = h('select', { id: 'chaos-service', 'aria-label': 'service for the chaos run' });
      const rate = h('input', { type: 'number', value: '3', min: '0', step: '0.5', 'aria-label': 'request rate factor', class: 'w' });
      const lat = h('input', { type: 'number', value: '2', min: '0', step: '0.5', 'aria-label': 'latency factor', class: 'w' });
      const ticks = h('input', { type: 'number', value: '30', min: '1', step: '1', 'aria-label': 'ticks', class: 'w' });
      this.engineBox.replaceChildren(
        h('p', {}, 'Autopilot: ', this.mode, ' ',
          h('button', { type: 'button', id: 'ap-freeze', onclick: () => this.act('freeze the autopilot', '/api/v1/control/toggle', { mode: 'frozen' }, 'autopilot') }, 'Freeze'), ' ',
          h('button', { type: 'button', id: 'ap-enable', onclick: () => this.act('enable the autopilot', '/api/v1/control/toggle', { mode: 'enabled' }, 'autopilot') }, 'Enable')),
        h('p', {}, h('label', {}, 'Preset ', this.preset), ' ',
          h('button', { type: 'button', id: 'preset-apply', onclick: () => this.act(`preset ${this.preset.value}`, '/api/v1/policy/update', { preset: this.preset.value }, 'autopilot') }, 'Apply')),
        h('p', {}, h('label', {}, 'Chaos run on ', this.service), ' × rate ', rate, ' × latency ', lat, ' for ', ticks, ' ticks ',
          h('button', { type: 'button', id: 'chaos-run', onclick: () => this.act(`chaos run on ${this.service.value}`, '/api/v1/control/chaos-run', { service: this.service.value, rate_factor: Number(rate.value), latency_factor: Number(lat.value), ticks: Number(ticks.value) }, this.service.value) }, 'Run')),
        h('p', {}, h('button', { type: 'button', id: 'step', onclick: () => this.act('step the engine', '/api/v1/runtime/step', {}, 'engine') }, 'Step the engine once')));
    }
    if (snapshot) {
      this.mode.textContent = snapshot.mode ?? '?';
      if (document.activeElement !== this.preset && snapshot.preset) this.preset.value = snapshot.preset;
      const ids = (snapshot.services || []).map((x) => x.id);
      if (this.service.dataset.opts !== ids.join('|')) {
        this.service.replaceChildren(...ids.map((id) => h('option', { value: id, text: id })));
        this.service.dataset.opts = ids.join('|');
      }
    }
  }
}
