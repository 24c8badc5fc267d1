// Live line charts on uPlot: one chart per metric, redrawn with setData at every tick. A chart is
// rebuilt only when its set of series changes (a backend appears) or its width changes.
import uPlot from './vendor/uPlot.esm.js';
import { seriesColour } from './util.js';

export class LiveChart {
  // series: [{name, label, colour?, dash?}]; band: optional [upperName, lowerName] to fill between.
  constructor(container, { title, unit = '', height = 170, band = null }) {
    this.container = container;
    this.title = title;
    this.unit = unit;
    this.height = height;
    this.band = band;
    this.plot = null;
    this.key = '';
    this.width = 0;
  }

  update(history, series) {
    const names = series.map((x) => x.name);
    const width = Math.max(240, Math.floor(this.container.clientWidth || 400));
    const key = names.join('|');
    const data = history.data(names);
    if (!this.plot || key !== this.key || Math.abs(width - this.width) > 8) {
      if (this.plot) this.plot.destroy();
      this.container.replaceChildren();
      this.key = key;
      this.width = width;
      const unit = this.unit;
      const bands = [];
      if (this.band) {
        const hi = names.indexOf(this.band[0]) + 1;
        const lo = names.indexOf(this.band[1]) + 1;
        if (hi > 0 && lo > 0) bands.push({ series: [hi, lo], fill: 'rgba(74,144,194,0.18)' });
      }
      this.plot = new uPlot({
        title: this.title,
        width,
        height: this.height,
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        scales: { x: { time: true }, y: { range: (u, min, max) => [0, Math.max(max ?? 1, 1e-9) * 1.1] } },
        axes: [
          { stroke: '#8a96a3', grid: { stroke: 'rgba(138,150,163,0.15)' } },
          { stroke: '#8a96a3', grid: { stroke: 'rgba(138,150,163,0.15)' }, size: 66, values: (u, v) => v.map((x) => `${+x.toPrecision(3)}${unit}`) },
        ],
        bands,
        series: [{}, ...series.map((x, i) => ({
          label: x.label ?? x.name,
          stroke: x.colour ?? seriesColour(i),
          width: x.width ?? 1.6,
          dash: x.dash,
          spanGaps: false,
          show: x.show ?? true,
          value: (u, v) => (v == null ? '–' : `${+v.toPrecision(3)}${unit}`),
        }))],
      }, data, this.container);
    } else {
      this.plot.setData(data);
    }
  }
}
