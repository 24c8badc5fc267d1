// The two rings of a cluster (HuddleCluster): serving backends on the inner ring, resting,
// drained, ejected and down ones on the outer ring; each disc coloured by temperature. Discs are
// focusable: Enter or a click selects the backend (its actions open in the side panel).
import { heatColour, s } from './util.js';
import { stateText } from './model.js';

const BADGE = { down: 'DOWN', ejected: 'EJECTED', drained: 'DRAINED', out: 'OUT', cooling: '', inner: '' };

export function renderRings(svg, clusterName, backends, onSelect, selected) {
  const W = 420;
  const cx = W / 2;
  const cy = W / 2;
  const rIn = 88;
  const rOut = 165;
  svg.setAttribute('viewBox', `0 0 ${W} ${W}`);
  // Redrawn every tick: keep the keyboard focus on the same backend.
  const focused = svg.contains(document.activeElement) ? document.activeElement.getAttribute('data-backend') : null;
  svg.replaceChildren();
  svg.append(
    s('circle', { cx, cy, r: rOut, class: 'ring ring-outer' }),
    s('circle', { cx, cy, r: rIn, class: 'ring ring-inner' }),
    s('text', { x: cx, y: cy - 6, class: 'ring-label', text: 'inner ring' }),
    s('text', { x: cx, y: cy + 12, class: 'ring-sub', text: `${backends.filter((b) => b.ring === 'inner').length} serving` }),
    s('text', { x: cx, y: cy - rOut + 22, class: 'ring-label outer', text: 'outer ring' }),
  );
  for (const ring of ['inner', 'outer']) {
    const members = backends.filter((b) => b.ring === ring);
    const r = ring === 'inner' ? rIn : rOut;
    members.forEach((b, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * (i + 0.5)) / Math.max(1, members.length) + (ring === 'outer' ? Math.PI / 7 : 0);
      const x = cx + r * Math.cos(a);
      const y = cy + r * Math.sin(a);
      const temp = b.temperature ?? 0;
      const label = `${b.name}: ${stateText(b.state)}, temperature ${temp.toFixed(2)}${b.temperatureDerived ? ' (derived)' : ''}`;
      const g = s('g', {
        class: `node state-${b.state}${selected === b.name ? ' selected' : ''}`,
        transform: `translate(${x.toFixed(1)} ${y.toFixed(1)})`,
        tabindex: '0',
        role: 'button',
        'aria-label': label,
        'data-backend': b.name,
        'data-state': b.state,
        'data-ring': b.ring,
        'data-temperature': temp.toFixed(3),
      });
      g.append(s('title', { text: label }));
      g.append(s('circle', { r: 24, class: 'disc', fill: b.state === 'down' || b.state === 'drained' ? '#9aa3ad' : heatColour(temp) }));
      if (b.state === 'ejected' || b.state === 'down') {
        g.append(s('path', { d: 'M-15,-15 L15,15 M15,-15 L-15,15', class: 'cross' }));
      }
      if (b.state === 'drained') g.append(s('rect', { x: -9, y: -9, width: 18, height: 18, rx: 2, class: 'pause-mark' }));
      g.append(s('text', { y: 4, class: 'node-name', text: b.name }));
      g.append(s('text', { y: 40, class: 'node-temp', text: `${temp.toFixed(2)}${b.temperatureDerived ? '*' : ''}` }));
      if (BADGE[b.state]) g.append(s('text', { y: -31, class: 'node-badge', text: BADGE[b.state] }));
      const pick = () => onSelect(clusterName, b.name);
      g.addEventListener('click', pick);
      g.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
      svg.append(g);
      if (focused === b.name) g.focus();
    });
  }
}
