// End-to-end tests of the dashboard in headless Chromium (Debian's, driven by playwright-core)
// against the real huddle cluster run.sh started. Every wait has a deadline; nothing sleeps for a
// fixed time to "let things settle" except where a screenshot wants a few ticks of chart history.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

const { BASE, ADMIN, LISTEN_PORT, CONTROL_u3, CONTROL_u4, TASKS_URL, CHROMIUM, SCREENSHOTS } = process.env;
let browser;
let page;
let tasksPage; // the task coordinator's own dashboard
const problems = []; // console errors, page errors, failed requests: must stay empty
let loading = true;
let agent = null;

async function clusters() {
  const r = await fetch(`${ADMIN}/api/v1/clusters`);
  return (await r.json()).clusters[0].backends;
}

// Sets (a list of --fault specs) or clears (null) an upstream's faults through its control API
// (huddle upstream --control-port) and returns the upstream's answer.
async function fault(controlPort, specs) {
  const url = `http://127.0.0.1:${controlPort}/faults`;
  const r = specs === null
    ? await fetch(url, { method: 'DELETE' })
    : await fetch(url, { method: 'POST', body: JSON.stringify({ faults: specs }) });
  const body = await r.json();
  assert.equal(r.status, 200, JSON.stringify(body));
  return body;
}

async function until(what, fn, timeoutMs) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    last = await fn();
    if (last) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what}: not within ${timeoutMs} ms`);
}

// A bounded load: six keep-alive connections in a closed loop with a 3 ms pause.
function startLoad() {
  agent = new Agent({ keepAlive: true, maxSockets: 6 });
  const loop = () => {
    if (!loading) return;
    const req = request({ host: '127.0.0.1', port: LISTEN_PORT, path: '/', agent }, (res) => {
      res.resume();
      res.on('end', () => setTimeout(loop, 3));
    });
    req.on('error', () => setTimeout(loop, 50));
    req.end();
  };
  for (let i = 0; i < 6; i++) loop();
}

async function shot(name, p = page) {
  if (!SCREENSHOTS) return;
  await p.screenshot({ path: join(SCREENSHOTS, name), fullPage: true });
}

before(async () => {
  startLoad();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  page = await watchedPage(BASE);
  tasksPage = await watchedPage(TASKS_URL);
});

// A page in a context of its own where anything not on `origin` (offline: no CDN), a console error
// or warning, a page error, a failed or 4xx/5xx request is recorded in `problems`.
async function watchedPage(origin) {
  const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, colorScheme: 'dark' });
  await context.route((url) => !url.href.startsWith(origin), (route) => { problems.push(`off-origin request: ${route.request().url()}`); route.abort(); });
  const p = await context.newPage();
  p.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
  p.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  p.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  p.on('response', (r) => { if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`); });
  return p;
}

after(async () => {
  loading = false;
  agent?.destroy();
  await browser?.close();
});

test('the page loads, shows every backend and live charts', async () => {
  await page.goto(`${BASE}/`);
  await page.waitForSelector('svg.rings g[data-backend]');
  const names = await page.$$eval('svg.rings g[data-backend]', (els) => els.map((e) => e.dataset.backend).sort());
  assert.deepEqual(names, ['u1', 'u2', 'u3', 'u4']);
  assert.equal(await page.locator('.uplot').count() >= 5, true, 'five uPlot charts per cluster');
  await page.waitForFunction(() => document.getElementById('live').textContent.startsWith('live'), null, { timeout: 15000 });
  // The charts fill: the cluster request rate is above zero within a few ticks.
  await page.waitForFunction(() => {
    const c = window.huddleDashboard.model.clusters.get('app');
    return c && c.history.last('cluster.rate') > 10;
  }, null, { timeout: 15000 });
  // The engine runs embedded in the proxy: its section is not "Not available" (see the engine test).
  await page.waitForSelector('#services table.services', { timeout: 15000 });
  assert.doesNotMatch(await page.locator('#services').innerText(), /Not available/);
});

test('a slow fault injected through the API shows in the rings and the timeline within seconds', async (t) => {
  // Some chart history first, so the screenshot shows before and after.
  await page.waitForFunction(() => window.huddleDashboard.model.clusters.get('app').history.times.length >= 10, null, { timeout: 40000 });
  const t0 = Date.now();
  const answer = await fault(CONTROL_u3, ['slow:factor=6']);
  assert.equal(answer.state.slow_factor, 6);
  // Thermal rotation moves the now slow u3 to the outer ring, and the page says why.
  await page.waitForSelector('svg.rings g[data-backend="u3"][data-ring="outer"]', { timeout: 30000 });
  await page.waitForSelector('#timeline li[data-subject="app/u3"][data-kind="cooling"]', { timeout: 15000 });
  const seconds = (Date.now() - t0) / 1000;
  t.diagnostic(`u3 slow: on the rings and the timeline after ${seconds.toFixed(1)} s`);
  assert.ok(seconds < 10, `seen after ${seconds} s`);
  const temp = Number(await page.getAttribute('svg.rings g[data-backend="u3"]', 'data-temperature'));
  assert.ok(temp >= 0.3, `u3 temperature ${temp}`);
  const u3 = (await clusters()).find((b) => b.name === 'u3');
  assert.ok(u3.policy_gauges.inner < 0.5, 'the API agrees: u3 is not in the inner ring');
  assert.match(await page.locator('#timeline li[data-subject="app/u3"][data-kind="cooling"]').first().innerText(), /outer ring to cool down/);
});

test('a crash injected through the API shows in the rings and the timeline within seconds', async (t) => {
  await page.waitForFunction(() => window.huddleDashboard.model.clusters.get('app').history.times.length >= 25, null, { timeout: 40000 });
  const t0 = Date.now();
  assert.equal((await fault(CONTROL_u4, ['crash'])).state.crash, true);
  await page.waitForSelector('svg.rings g[data-backend="u4"]:is([data-state="down"], [data-state="ejected"])', { timeout: 15000 });
  await page.waitForSelector('#timeline li[data-subject="app/u4"]:is([data-kind="down"], [data-kind="ejected"])', { timeout: 15000 });
  const seconds = (Date.now() - t0) / 1000;
  t.diagnostic(`u4 crash: on the rings and the timeline after ${seconds.toFixed(1)} s`);
  assert.ok(seconds < 10, `seen after ${seconds} s`);
  const u4 = (await clusters()).find((b) => b.name === 'u4');
  assert.ok(!u4.healthy || u4.ejected, 'the API agrees: u4 is down or ejected');
  await page.waitForTimeout(6000); // a few more ticks on the charts
  await shot('dashboard-monitor.png');

  // Clear the fault: u4 listens again, returns to rotation, and the timeline says so.
  assert.equal((await fault(CONTROL_u4, null)).state.crash, false);
  await page.waitForSelector('svg.rings g[data-backend="u4"]:is([data-state="inner"], [data-state="cooling"])', { timeout: 30000 });
  await page.waitForSelector('#timeline li[data-subject="app/u4"][data-source="observed"]:is([data-kind="inner"], [data-kind="cooling"])', { timeout: 15000 });
});

test('a drain clicked on the page takes the backend out of rotation', async () => {
  await page.keyboard.press('2');
  await page.waitForSelector('#view-control:not([hidden]) button[data-action="drain"][data-backend="u2"]');
  await page.click('button[data-action="drain"][data-backend="u2"]');
  const u2 = await until('u2 drained in the API', async () => (await clusters()).find((b) => b.name === 'u2' && b.draining && !b.in_table), 15000);
  assert.equal(u2.draining, true);
  await page.waitForSelector('#action-log li:has-text("drain u2: accepted")', { timeout: 15000 });
  await page.waitForSelector('#backend-controls tr[data-backend="u2"] td.st-drained', { timeout: 15000 });
  await shot('dashboard-control.png');
  // Enable it again from the page.
  await page.click('button[data-action="enable"][data-backend="u2"]');
  await until('u2 enabled in the API', async () => (await clusters()).find((b) => b.name === 'u2' && !b.draining), 15000);
  await page.keyboard.press('1');
  await page.waitForSelector('#timeline li[data-source="control"][data-subject="app/u2"]', { timeout: 15000 });
  await page.waitForSelector('#timeline li[data-source="observed"][data-subject="app/u2"][data-kind="drained"]', { timeout: 15000 });
});

test('keyboard: views by number, a backend by Tab and Enter, weight set from its panel', async () => {
  await page.keyboard.press('1');
  await page.locator('#tab-monitor').focus();
  let found = null;
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = await page.evaluate(() => document.activeElement?.getAttribute('data-backend'));
  }
  assert.ok(found, 'Tab reaches a backend on the rings');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.detail h3:has-text("${found}")`);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.action), 'drain', 'focus moves to the actions');
  const weight = page.locator(`.detail input[aria-label="weight of ${found}"]`);
  await weight.fill('2');
  await page.click(`.detail button[data-action="weight"][data-backend="${found}"]`);
  await until(`${found} weight 2 in the API`, async () => (await clusters()).find((b) => b.name === found && b.weight === 2), 15000);
  await page.keyboard.press('Escape');
  await page.waitForSelector('.detail .hint');
  await page.keyboard.press('3');
  await page.waitForSelector('#view-topology:not([hidden]) .na');
  assert.match(await page.locator('#topology').innerText(), /Not available/);
  await page.keyboard.press('1');
});

test('the engine panel shows the cluster as a service; a freeze click reaches the engine', async () => {
  await page.keyboard.press('1');
  await page.waitForSelector('#services table.services tbody tr[data-service="app"]', { timeout: 15000 });
  const head = await page.locator('#services table.services thead').innerText();
  for (const column of ['forecast', 'utilisation', 'failure risk']) assert.match(head, new RegExp(column));
  const row = await page.locator('#services tr[data-service="app"]').innerText();
  assert.match(row, /%/, 'utilisation and risk are shown as percentages');
  await shot('dashboard-engine.png');
  await page.keyboard.press('2');
  await page.waitForSelector('#view-control:not([hidden]) #ap-freeze');
  await page.click('#ap-freeze');
  const snapshot = async () => (await fetch(`${ADMIN}/api/v1/snapshot`)).json();
  await until('autopilot frozen in the engine', async () => (await snapshot()).mode === 'frozen', 15000);
  await page.waitForSelector('#action-log li:has-text("freeze the autopilot: accepted")', { timeout: 15000 });
  await page.click('#ap-enable');
  await until('autopilot enabled again', async () => (await snapshot()).mode === 'enabled', 15000);
  await page.keyboard.press('1');
});

test('the coordinator\'s dashboard shows its workers by load, the Echo tree, waves and migrations', async () => {
  const tasksApi = async (path) => (await fetch(`${TASKS_URL}${path}`)).json();
  // The coordinator serves the page itself and says so: tasks at "/", no proxy, no engine.
  const features = await tasksApi('/ui/config.json');
  assert.equal(features.tasks_url, '/');
  assert.equal(features.proxy, false);
  // With only the task service it opens on Topology.
  await tasksPage.goto(`${TASKS_URL}/`);
  await tasksPage.waitForSelector('#view-topology:not([hidden]) svg.topo g[data-node]', { timeout: 15000 });
  // Every worker is a node; the tree of the last wave joins them (3 edges for 4 nodes).
  await tasksPage.waitForFunction(() => document.querySelectorAll('svg.topo g[data-node]').length === 4 && document.querySelectorAll('svg.topo line.tree-edge').length === 3, null, { timeout: 20000 });
  const nodes = () => tasksPage.$$eval('svg.topo g[data-node]', (els) => els.map((g) => ({ node: g.dataset.node, load: g.dataset.load === '' ? null : Number(g.dataset.load), fill: g.querySelector('circle').getAttribute('fill') })));
  assert.deepEqual((await nodes()).map((n) => n.node).sort(), ['a', 'b', 'c', 'hub']);
  // The first waves found hub loaded (4 tasks) and moved tasks away: waves and migrations are
  // listed, and each node's load is its worker's utilisation from the API.
  await tasksPage.waitForFunction(() => [...document.querySelectorAll('#topology table')].some((t) => /moved/.test(t.innerText) && /hub →/.test(t.innerText)), null, { timeout: 20000 });
  const waves = await tasksApi('/api/waves');
  assert.ok(waves.some((w) => w.moves_requested > 0 && w.initiator === 'hub'), 'a wave planned moves from the loaded hub');
  assert.match(await tasksPage.locator('#topology').innerText(), /tree of wave \d+, initiator hub/);
  const utilisation = async () => Object.fromEntries((await tasksApi('/api/workers')).map((w) => [w.node, w.utilisation]));
  const agree = async () => {
    const [u, shown] = [await utilisation(), await nodes()];
    return shown.every((n) => n.load !== null && Math.abs(n.load - u[n.node]) < 1e-3) ? shown : null;
  };
  const shown = await until('node loads equal the workers\' utilisation', agree, 20000);
  // Coloured by load: the most and least loaded nodes have different colours, equal loads the same.
  shown.sort((x, y) => x.load - y.load);
  assert.ok(shown[3].load > shown[0].load, `loads ${JSON.stringify(shown)}`);
  assert.notEqual(shown[3].fill, shown[0].fill);
  for (const x of shown) for (const y of shown) if (x.load === y.load) assert.equal(x.fill, y.fill);
  await shot('dashboard-topology.png', tasksPage);
  // Live: three more tasks (1/2 core each on 2-core workers) raise the total load the page shows by
  // 3 x 0.25 = 0.75, and the nodes that took them change colour.
  const total = (list) => list.reduce((a, n) => a + n.load, 0);
  const r = await fetch(`${TASKS_URL}/api/tasks`, { method: 'POST', body: JSON.stringify({ tasks: [1, 2, 3].map((i) => ({ name: `more${i}`, kind: 'synthetic', duration: '600s' })) }) });
  assert.equal(r.status, 201);
  const after = await until('the page shows the new tasks\' load', async () => {
    const now = await nodes();
    return Math.abs(total(now) - total(shown) - 0.75) < 1e-3 ? now : null;
  }, 20000);
  const changed = after.filter((n) => n.load !== shown.find((x) => x.node === n.node).load);
  assert.ok(changed.length > 0);
  for (const n of changed) assert.notEqual(n.fill, shown.find((x) => x.node === n.node).fill, `${n.node} recoloured`);
});

test('no console error, no failed request, nothing fetched from elsewhere', () => {
  assert.deepEqual(problems, []);
});
