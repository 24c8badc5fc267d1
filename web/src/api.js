// Talks to the host's admin API. Reads /ui/config.json first (what this process offers) and only
// calls the endpoints listed there, so a missing body is "not available", never a failed request.
const TOKEN_KEY = 'huddle.token';

export class Api {
  constructor() {
    this.features = { proxy: false, engine: false, engine_stream: false, tasks_url: '', token_required: false, title: 'huddle' };
    this.token = sessionStorage.getItem(TOKEN_KEY) || '';
  }

  setToken(token) {
    this.token = token;
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  }

  async loadConfig() {
    const r = await fetch('/ui/config.json', { cache: 'no-store' });
    if (!r.ok) throw new Error(`/ui/config.json: HTTP ${r.status}`);
    this.features = { ...this.features, ...(await r.json()) };
    return this.features;
  }

  headers(extra = {}) {
    const h = { ...extra };
    if (this.token) h.Authorization = `Bearer ${this.token}`;
    return h;
  }

  tasksUrl(path) {
    const base = this.features.tasks_url;
    if (!base) return null;
    return base === '/' ? path : base.replace(/\/$/, '') + path;
  }

  async get(url, as = 'json') {
    const r = await fetch(url, { headers: this.headers(), cache: 'no-store' });
    if (!r.ok) throw new ApiError(url, r.status, (await r.text()).trim());
    return as === 'json' ? r.json() : r.text();
  }

  async post(url, body) {
    const init = { method: 'POST', headers: this.headers() };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const r = await fetch(url, init);
    const text = (await r.text()).trim();
    if (!r.ok) throw new ApiError(url, r.status, text);
    try { return JSON.parse(text); } catch { return text; }
  }
}

export class ApiError extends Error {
  constructor(url, status, text) {
    super(`${url}: HTTP ${status}${text ? ` (${text})` : ''}`);
    this.status = status;
  }
}
