// The engine's part of the Monitor: per-service utilisation, demand with its forecast and band,
// failure risk, and the reasoning feed (each service's latest explanation and the autopilot's
// decisions). Fed by /api/v1/snapshot polls or the /ws tick stream; absent engine: "not available".
import { History } from './history.js';
import { LiveChart } from './charts.js';
import { fmt, h, heatColour } from './util.js';

export class EngineView {
  constructor(container, reasoning, timeline) {
    this.container = container;
    this.reasoning = reasoning;
    this.timeline = timeline;
    this.history = new History(300);
    this.lastEvent = 0;
    this.lastDirective = 0;
    this.selected = null;
    this.built = false;
    this.snapshot = null;
  }

  unavailable(why) {
    this.container.replaceChildren(h('p', { class: 'na', text: `Not available: ${why}` }));
    this.reasoning.replaceChildren(h('li', { class: 'empty', text: 'Not available: no engine in this process.' }));
  }

  // events/directives: arrays in the engine's JSON shapes (EventJson / DirectiveJson).
  ingest(t, snap, events = [], directives = []) {
    this.snapshot = snap;
    const sample = {};
    for (const sv of snap.services || []) {
      const band = (sv.mape ?? 0) / 100;
      sample[`demand.${sv.id}`] = sv.unique_demand ?? sv.request_rate;
      sample[`forecast.${sv.id}`] = sv.forecast_rps;
      sample[`hi.${sv.id}`] = sv.forecast_rps == null ? null : sv.forecast_rps * (1 + band);
      sample[`lo.${sv.id}`] = sv.forecast_rps == null ? null : Math.max(0, sv.forecast_rps * (1 - band));
      sample[`rho.${sv.id}`] = sv.rho;
      sample[`risk.${sv.id}`] = sv.saturation_probability;
    }
    this.history.push(t, sample);
    for (const e of events) {
      if (e.id != null && e.id <= this.lastEvent) continue;
      this.lastEvent = Math.max(this.lastEvent, e.id ?? 0);
      this.timeline.add({ source: 'engine', kind: e.kind, subject: e.service, reason: e.reason, severity: e.severity || 'info', t: e.at ? e.at * 1000 : Date.now() });
    }
    for (const d of directives) {
      if (d.id != null && d.id <= this.lastDirective) continue;
      this.lastDirective = Math.max(this.lastDirective, d.id ?? 0);
      this.timeline.add({ source: 'engine', kind: d.act ? 'autopilot' : 'recommendation', subject: d.service, reason: `${d.from} → ${d.to} replicas: ${d.reason}`, severity: 'info', t: d.at ? d.at * 1000 : Date.now() });
    }
  }

  render() {
    const snap = this.snapshot;
    if (!snap) return;
    const services = snap.services || [];
    if (!this.selected || !services.some((x) => x.id === this.selected)) this.selected = services[0]?.id ?? null;
    if (!this.built) {
      this.head = h('p', { class: 'engine-head' });
      this.table = h('table', { class: 'grid services' });
      this.pick = h('select', { 'aria-label': 'Service shown in the charts', onchange: (e) => { this.selected = e.target.value; this.render(); } });
      this.demandBox = h('div', { class: 'chart' });
      this.riskBox = h('div', { class: 'chart' });
      this.demandChart = new LiveChart(this.demandBox, { title: 'Demand and forecast (band: ± MAPE)', unit: '/s', band: ['hi', 'lo'] });
      this.riskChart = new LiveChart(this.riskBox, { title: 'Utilisation ρ and saturation risk (60 s)', unit: '' });
      this.container.replaceChildren(this.head, this.table, h('div', { class: 'row' }, h('label', {}, 'Charts for ', this.pick)), h('div', { class: 'charts2' }, this.demandBox, this.riskBox));
      this.built = true;
    }
    this.head.textContent = `Autopilot ${snap.mode ?? '?'} · preset ${snap.preset ?? '?'} · tick ${snap.tick ?? '?'}`;
    this.table.replaceChildren(
      h('thead', {}, h('tr', {}, ...['service', 'demand', 'forecast', 'utilisation ρ', 'p99 (model)', 'failure risk', 'replicas', 'admit', 'state'].map((x) => h('th', { scope: 'col', text: x })))),
      h('tbody', {}, ...services.map((sv) => h('tr', { 'data-service': sv.id },
        h('th', { scope: 'row', text: sv.id }),
        h('td', { text: fmt.rate(sv.unique_demand ?? sv.request_rate) }),
        h('td', { text: `${fmt.rate(sv.forecast_rps)} ± ${fmt.num(sv.mape, 0)}%` }),
        h('td', {}, bar(sv.rho), ` ${fmt.pct(sv.rho)}`),
        h('td', { text: fmt.ms(sv.p99_predicted_ms) }),
        h('td', { class: (sv.saturation_probability ?? 0) > 0.5 ? 'hot' : '' }, fmt.pct(sv.saturation_probability), sv.time_to_saturation_s != null ? ` (in ${fmt.num(sv.time_to_saturation_s, 0)} s)` : ''),
        h('td', { text: `${fmt.num(sv.ready_replicas, 0)} → ${sv.target_replicas ?? '–'}` }),
        h('td', { text: fmt.pct(sv.admit_probability) }),
        h('td', { text: sv.failing ? 'FAILING' : sv.quality ?? '' })))));
    const opts = services.map((x) => x.id).join('|');
    if (this.pick.dataset.opts !== opts) {
      this.pick.replaceChildren(...services.map((x) => h('option', { value: x.id, text: x.id })));
      this.pick.dataset.opts = opts;
    }
    if (this.selected) this.pick.value = this.selected;
    const id = this.selected;
    if (id) {
      // The History is keyed per service: chart the selected one under generic names.
      const view = { data: (names) => this.history.data(names.map((n) => `${n}.${id}`)) };
      this.demandChart.update(view, [
        { name: 'demand', label: 'demand' },
        { name: 'forecast', label: 'forecast', dash: [6, 4] },
        { name: 'hi', label: 'upper', colour: 'rgba(74,144,194,0.5)', width: 1 },
        { name: 'lo', label: 'lower', colour: 'rgba(74,144,194,0.5)', width: 1 },
      ]);
      this.riskChart.update(view, [{ name: 'rho', label: 'utilisation ρ' }, { name: 'risk', label: 'saturation probability', colour: '#e15759' }]);
    }
    const reasons = services.filter((x) => x.reason).map((x) => h('li', { class: 'ev src-engine' }, h('span', { class: 'subj', text: x.id }), h('span', { class: 'why', text: x.reason })));
    this.reasoning.replaceChildren(...(reasons.length ? reasons : [h('li', { class: 'empty', text: 'The autopilot has nothing to say yet.' })]));
  }
}

function bar(x) {
  const v = Math.min(1, Math.max(0, x ?? 0));
  return h('span', { class: 'bar', title: fmt.pct(x) }, h('span', { style: `width:${(100 * v).toFixed(0)}%;background:${heatColour(v)}` }));
}
