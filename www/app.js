// bessd dashboard: one page, no build step. Talks to the daemon's /v1 API with the session cookie
// (POST /v1/session) and sends the session's CSRF token on every write.
'use strict';

const $ = (id) => document.getElementById(id);
const STATUS_MS = 2000, SLOW_MS = 60000, EVENTS_MS = 15000;
const RANGES = { // a resolution that keeps each range to a few thousand points at most
  day: { from: '-1d', resolution: 'minute' },
  week: { from: '-7d', resolution: 'quarter_hour' },
  month: { from: '-30d', resolution: 'quarter_hour' },
};
const MODES = { idle: 'Idle', manual: 'Manual', self_consumption: 'Self-consumption', schedule: 'Schedule' };

let session = null;        // {name, scope, csrf_token, expires_at}
let lastStatus = null;
let range = 'day';
let ready = false;
let modeTouched = false;
const timers = {};
const inflight = {};
window.bessdCharts = { history: null, energy: null };

class AuthError extends Error {}
class ApiError extends Error {
  constructor(status, code, message) { super(message); this.status = status; this.code = code; }
}

async function api(path, opts = {}) {
  const init = { credentials: 'same-origin', method: opts.method || 'GET', headers: {} };
  if (init.method !== 'GET' && session) init.headers['X-CSRF-Token'] = session.csrf_token;
  if (opts.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(opts.body);
  }
  let r;
  try {
    r = await fetch(path, init);
  } catch (e) {
    // A keep-alive connection the server closed just as the browser reused it fails without an
    // answer; a read is safe to send once more (a write is not: it may have been applied).
    if (init.method !== 'GET') throw e;
    r = await fetch(path, init);
  }
  if (r.status === 401 && !opts.no401) throw new AuthError('Your session has ended: please log in again.');
  const text = await r.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (!r.ok) {
    const err = (body && body.error) || {};
    throw new ApiError(r.status, err.code || String(r.status), err.message || `${r.status} ${r.statusText}`);
  }
  return body;
}

// Runs `fn` unless a run of the same key is still going: never two requests in flight for one thing.
async function once(key, fn) {
  if (inflight[key]) return;
  inflight[key] = true;
  try { await fn(); } catch (e) { handleError(e, key); } finally { inflight[key] = false; }
}

function handleError(e, key) {
  if (e instanceof AuthError) { showLogin(e.message); return; }
  if (key === 'status') banner(`Cannot read the status from bessd: ${e.message}. Retrying…`);
  else console.warn(key, e.message);
}

function banner(text) {
  const b = $('banner');
  b.textContent = text || '';
  b.hidden = !text;
}

// ---- formatting ----
const nf1 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const nf0 = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
function fmtW(w) {
  if (w === null || w === undefined || Number.isNaN(w)) return '–';
  const a = Math.abs(w);
  return a >= 1000 ? `${nf1.format(w / 1000)} kW` : `${nf0.format(w)} W`;
}
function fmtAge(s) {
  if (s === null || s === undefined) return '';
  return s < 60 ? `${nf1.format(s)} s` : s < 3600 ? `${nf0.format(s / 60)} min` : `${nf1.format(s / 3600)} h`;
}
const dtf = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const tf = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
const fmtTime = (t) => (t ? dtf.format(new Date(t)) : '');
const words = (s) => String(s || '').replace(/_/g, ' ');

function el(tag, props = {}, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const k of kids) if (k !== null && k !== undefined) e.append(k);
  return e;
}
const badge = (text, kind) => el('span', { class: `badge b-${kind || text}`, text: words(text) });
function setText(id, text, value) {
  const e = $(id);
  if (e.textContent !== text) e.textContent = text;
  if (value !== undefined) e.dataset.value = value === null ? '' : String(value);
}

// ---- session ----
function showLogin(message) {
  stopAll();
  session = null;
  $('dash').hidden = true;
  $('who').hidden = true;
  $('login').hidden = false;
  banner('');
  $('login-error').textContent = message || '';
  $('token').focus();
}

async function startSession(s) {
  session = s;
  $('login').hidden = true;
  $('dash').hidden = false;
  $('who').hidden = false;
  $('who-name').textContent = `${s.name} · ${s.scope}`;
  const control = s.scope === 'control';
  $('mode-form').hidden = !control;
  $('ack-button').hidden = !control;
  modeTouched = false;
  loop('status', pollStatus, STATUS_MS);
  loop('slow', pollSlow, SLOW_MS);
  loop('events', loadEvents, EVENTS_MS);
  once('config', loadSite);
}

$('login-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const btn = $('login-button');
  btn.disabled = true;
  $('login-error').textContent = '';
  try {
    const s = await api('/v1/session', { method: 'POST', body: { token: $('token').value.trim() }, no401: true });
    $('token').value = '';
    startSession(s);
  } catch (e) {
    $('login-error').textContent = e.status === 401 ? 'The token is not valid.'
      : e.status === 429 ? `Too many failed attempts: ${e.message}` : `Login failed: ${e.message}`;
  } finally { btn.disabled = false; }
});

$('logout').addEventListener('click', async () => {
  try { await api('/v1/session', { method: 'DELETE', no401: true }); } catch (e) { /* logged out anyway */ }
  showLogin('Logged out.');
});

// ---- polling: each loop waits for its request before scheduling the next, and sleeps while hidden
const running = {}, gens = {}, ticks = {};
function loop(key, fn, ms) {
  const gen = (gens[key] = (gens[key] || 0) + 1);
  const tick = async () => {
    clearTimeout(timers[key]);
    if (!session || gens[key] !== gen || running[key]) return; // a running tick reschedules itself
    running[key] = true;
    try { if (document.visibilityState === 'visible') await once(key, fn); } finally { running[key] = false; }
    if (session && gens[key] === gen) timers[key] = setTimeout(tick, ms);
  };
  ticks[key] = tick;
  tick();
}
function stopAll() {
  for (const k of Object.keys(ticks)) { clearTimeout(timers[k]); gens[k] += 1; delete ticks[k]; }
}
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && session) for (const t of Object.values(ticks)) t();
});

// ---- status ----
async function pollStatus() {
  const s = await api('/v1/status');
  banner('');
  lastStatus = s;
  renderStatus(s);
  if (!ready) {
    ready = true;
    document.body.dataset.ready = '1';
    performance.mark('bessd-first-status');
  }
}

async function loadSite() {
  const c = await api('/v1/config');
  const name = c && c.site && c.site.name;
  if (name) { $('site').textContent = name; document.title = `${name} · bessd`; }
}

function renderStatus(s) {
  const pack = s.pack || {}, pf = s.power_flow || {};
  const soc = pack.soc_pct;
  setText('soc', soc == null ? '–' : nf0.format(soc), soc);
  $('soc-fill').style.width = `${soc == null ? 0 : Math.max(0, Math.min(100, soc))}%`;
  $('soc-bar').setAttribute('aria-valuenow', soc == null ? '' : String(soc));
  for (const [id, v] of [['soc-reserve', s.reserve_soc_pct], ['soc-target', s.target_soc_pct]]) {
    const m = $(id);
    m.style.display = v == null || v <= 0 || v >= 100 ? 'none' : 'block';
    if (v != null) m.style.left = `${v}%`;
  }
  setText('soc-window', s.reserve_soc_pct == null ? '' : `Reserve ${nf0.format(s.reserve_soc_pct)} % · target ${nf0.format(s.target_soc_pct)} %`);
  setText('state', `${words(s.state)}${pack.temperature_c == null ? '' : ` · ${nf1.format(pack.temperature_c)} °C`}${pack.soh_pct == null ? '' : ` · health ${nf0.format(pack.soh_pct)} %`}`);
  setText('updated', `· ${tf.format(new Date(s.time))}`);

  const flow = (id, w, pos, neg, src) => {
    setText(`${id}-power`, fmtW(w == null ? null : Math.abs(w)), w);
    setText(`${id}-dir`, w == null ? (src ? '' : 'not reported') : Math.abs(w) < 10 ? 'idle' : w > 0 ? pos : neg);
  };
  flow('battery', pf.battery_w, 'charging', 'discharging', pf.battery_source);
  flow('pv', pf.pv_w, 'producing', 'consuming', pf.pv_source);
  flow('house', pf.house_w, 'using', 'feeding', pf.house_w != null);
  flow('grid', pf.grid_w, 'importing', 'exporting', pf.grid_source);

  setText('reason', (s.operating_reason && s.operating_reason.text) || '');
  const plan = s.schedule && s.schedule.plan;
  $('plan').hidden = !plan;
  if (plan) setText('plan', plan);

  const env = s.envelope || {};
  const limit = (id, w, cause) => {
    setText(`${id}-limit`, w == null ? 'unknown' : w === 0 ? 'stopped (0 W)' : `up to ${fmtW(w)}`, w);
    setText(`${id}-cause`, cause ? `${cause.sentence}${cause.rule_id ? ` (${cause.rule_id})` : ''}` : '');
  };
  limit('charge', env.charge_power_max_w, env.charge_power_cause);
  limit('discharge', env.discharge_power_max_w, env.discharge_power_cause);

  renderMode(s);
  renderFaults(s);
  renderLinks(s.links || []);
  const v = s.compliance && s.compliance.verdict;
  const b = $('compliance').querySelector('.badge');
  if (v && b && b.textContent !== words(v)) { b.className = `badge b-${v}`; b.textContent = words(v); }
}

function renderMode(s) {
  let t = MODES[s.mode] || words(s.mode);
  if (s.mode === 'manual' && s.manual_setpoint_w != null) {
    t += `: ${fmtW(Math.abs(s.manual_setpoint_w))} ${s.manual_setpoint_w >= 0 ? 'charge' : 'discharge'}`;
  }
  if (s.schedule) t += ` · ${words(s.schedule.action)}${s.schedule.window ? ` (${s.schedule.window})` : ''}`;
  const by = String(s.mode_set_by || 'the operator').replace(/ via .*/, '');
  t += s.mode_source === 'operator' ? ` · set by ${by}${s.mode_set_at ? ` at ${fmtTime(s.mode_set_at)}` : ''}` : ' · from the configuration';
  if (s.mode_expires_at) t += ` until ${fmtTime(s.mode_expires_at)}`;
  setText('mode', t);
  if (!modeTouched) {
    $('mode-select').value = s.mode;
    if (s.manual_setpoint_w != null) $('mode-setpoint').value = String(s.manual_setpoint_w);
    syncModeForm();
  }
}

function renderFaults(s) {
  const items = [];
  for (const f of s.active_faults || []) items.push([f, f.latched && !f.cause_cleared ? 'latched' : f.latched ? 'latched, cleared' : 'active', 'fault']);
  for (const f of s.service_faults || []) items.push([f, 'service', 'warning']);
  for (const f of s.warnings || []) items.push([f, 'warning', 'warning']);
  const key = JSON.stringify(items.map(([f, k]) => [f.code, f.message, k]));
  const ul = $('faults');
  if (ul.dataset.key === key) return;
  ul.dataset.key = key;
  ul.replaceChildren(...(items.length ? items.map(([f, kind, cls]) => el('li', {},
    badge(kind, f.severity === 'critical' || cls === 'fault' ? 'bad' : 'warn'),
    el('b', { text: f.code }), el('span', { class: 'grow', text: f.message }),
    el('time', { class: 'muted small', datetime: f.since || '', text: f.since ? `since ${fmtTime(f.since)}` : '' })))
    : [el('li', { class: 'muted' }, badge('ok', 'ok'), el('span', { text: 'No faults or warnings.' }))]));
}

function renderLinks(links) {
  const key = JSON.stringify(links.map((l) => [l.name, l.state, l.error_count, l.detail]));
  const ul = $('links');
  if (ul.dataset.key !== key) {
    ul.dataset.key = key;
    ul.replaceChildren(...links.map((l) => el('li', { 'data-link': l.name },
      badge(l.state), el('b', { text: words(l.name) }),
      el('span', { class: 'muted age' }),
      l.error_count ? el('span', { class: 'muted', text: `${l.error_count} problem${l.error_count === 1 ? '' : 's'}` }) : null,
      el('span', { class: 'detail', text: l.detail || '' }))));
  }
  for (const l of links) {
    const a = ul.querySelector(`[data-link="${CSS.escape(l.name)}"] .age`);
    if (a) a.textContent = l.age_s == null ? '' : `${fmtAge(l.age_s)} ago`;
  }
}

// ---- faults acknowledgement and mode ----
$('ack-button').addEventListener('click', async () => {
  const btn = $('ack-button');
  btn.disabled = true;
  try {
    const r = await api('/v1/faults/ack', { method: 'POST' });
    $('ack-msg').textContent = r.message || `${r.acknowledged.length} acknowledged`;
  } catch (e) {
    if (e instanceof AuthError) return showLogin(e.message);
    $('ack-msg').textContent = `Not acknowledged: ${e.message}`;
  } finally { btn.disabled = false; }
});

function syncModeForm() {
  const manual = $('mode-select').value === 'manual';
  for (const e of document.querySelectorAll('.manual-only')) e.hidden = !manual;
}
for (const id of ['mode-select', 'mode-setpoint', 'mode-expiry']) {
  for (const t of ['input', 'change']) $(id).addEventListener(t, () => { modeTouched = true; syncModeForm(); });
}
$('mode-form').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const body = { mode: $('mode-select').value };
  if (body.mode === 'manual') body.setpoint_w = Number($('mode-setpoint').value) || 0;
  const exp = $('mode-expiry').value;
  if (exp) body.expires_in_s = Number(exp);
  const btn = $('mode-apply');
  btn.disabled = true;
  $('mode-msg').textContent = 'Sending…';
  try {
    const r = await api('/v1/mode', { method: 'PUT', body });
    $('mode-msg').textContent = r.message || `Mode ${MODES[r.mode] || r.mode} accepted.`;
    modeTouched = false;
    once('status', pollStatus);
  } catch (e) {
    if (e instanceof AuthError) return showLogin(e.message);
    $('mode-msg').textContent = `Refused: ${e.message}`;
  } finally { btn.disabled = false; }
});

// ---- slow things: history, energy, compliance findings (every minute) ----
async function pollSlow() {
  await Promise.all([once('history', loadHistory), once('energy', loadEnergy), once('compliance', loadCompliance)]);
}

// The stock legend measures an em with setAttribute('style'), which the page's CSP refuses (and
// logs as an error at every redraw): render it without that measurement.
let legendPatched = false;
function patchLegend() {
  const L = window.Dygraph && Dygraph.Plugins && Dygraph.Plugins.Legend;
  if (legendPatched || !L || !L.generateLegendHTML) return;
  legendPatched = true;
  L.prototype.deselect = function (e) {
    if (e.dygraph.getOption('legend') !== 'always') this.legend_div_.style.display = 'none';
    this.one_em_width_ = 10;
    this.legend_div_.innerHTML = L.generateLegendHTML(e.dygraph, undefined, undefined, 10, null);
  };
}

function css(name) { return getComputedStyle(document.documentElement).getPropertyValue(name).trim(); }
function baseOpts() {
  patchLegend();
  return {
    axisLineColor: css('--line'), gridLineColor: css('--line'), labelsKMB: true,
    axisLabelFontSize: 12, legend: 'always', highlightSeriesOpts: null, animatedZooms: false,
    legendFormatter,
  };
}
// The stock legend writes inline style attributes, which the page's CSP refuses.
function legendFormatter(d) {
  const esc = (t) => String(t).replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const x = d.x == null ? '' : `<span>${esc(d.xHTML)}</span>`;
  return x + d.series.filter((s) => s.isVisible).map((s, i) =>
    `<span><b class="k${i}">■</b> ${esc(s.label)}${d.x == null || s.yHTML == null ? '' : `: ${s.yHTML}`}</span>`).join(' ');
}

async function loadHistory() {
  const r = RANGES[range];
  const fields = 'soc_pct,power_w,inverter_battery_power_w,pv_power_w,grid_power_w';
  const h = await api(`/v1/history?from=${r.from}&resolution=${r.resolution}&fields=${fields}`);
  const rows = (h.points || []).map((p) => {
    const bat = p.inverter_battery_power_w ?? p.power_w ?? null;
    const house = bat != null && p.pv_power_w != null && p.grid_power_w != null ? p.grid_power_w + p.pv_power_w - bat : null;
    return [new Date(p.time), p.soc_pct ?? null, bat, p.pv_power_w ?? null, house, p.grid_power_w ?? null];
  });
  const div = $('history-chart');
  if (!rows.length) {
    if (window.bessdCharts.history) { window.bessdCharts.history.destroy(); window.bessdCharts.history = null; }
    div.replaceChildren(el('p', { class: 'empty', text: 'No history for this range yet.' }));
    return;
  }
  const g = window.bessdCharts.history;
  if (g && g.bessdRange === range) { g.updateOptions({ file: rows }); return; }
  if (g) g.destroy();
  div.replaceChildren();
  const opts = Object.assign(baseOpts(), {
    labels: ['Time', 'SOC %', 'Battery W', 'Solar W', 'House W', 'Grid W'],
    colors: ['--soc', '--bat', '--pv', '--house', '--grid'].map(css),
    labelsDiv: $('history-legend'), ylabel: 'W', y2label: '%',
    series: { 'SOC %': { axis: 'y2', strokeWidth: 2 } },
    axes: { y2: { valueRange: [0, 100.5], independentTicks: true, axisLabelWidth: 36 }, y: { axisLabelWidth: 44 } },
    connectSeparatedPoints: false, strokeWidth: 1.2,
  });
  const ng = new Dygraph(div, rows, opts);
  ng.bessdRange = range;
  window.bessdCharts.history = ng;
}

function barPlotter(e) {
  const ctx = e.drawingContext, pts = e.points, n = e.seriesCount || 1;
  let sep = Infinity;
  for (let i = 1; i < pts.length; i++) sep = Math.min(sep, pts[i].canvasx - pts[i - 1].canvasx);
  if (!Number.isFinite(sep)) sep = e.plotArea.w / 3;
  const group = sep * 0.8, w = Math.max(1, group / n);
  const y0 = e.dygraph.toDomYCoord(0);
  ctx.fillStyle = e.color;
  for (const p of pts) {
    if (p.yval == null || Number.isNaN(p.canvasy)) continue;
    const x = p.canvasx - group / 2 + e.seriesIndex * w;
    ctx.fillRect(x, Math.min(p.canvasy, y0), Math.max(1, w - 1), Math.abs(y0 - p.canvasy));
  }
}

async function loadEnergy() {
  const d = await api('/v1/energy?period=day&count=31');
  const rows = (d.periods || []).filter((p) => p.days_with_data > 0).map((p) => {
    const [y, m, dd] = p.start.split('-').map(Number);
    return [new Date(y, m - 1, dd), p.pv_kwh, p.house_kwh, p.grid_import_kwh, p.grid_export_kwh,
      p.battery_charged_kwh, p.battery_discharged_kwh].map((v) => v ?? null);
  });
  const div = $('energy-chart');
  if (!rows.length) {
    div.replaceChildren(el('p', { class: 'empty', text: 'No energy counted yet.' }));
    window.bessdCharts.energy = null;
    return;
  }
  if (window.bessdCharts.energy) { window.bessdCharts.energy.updateOptions({ file: rows }); return; }
  div.replaceChildren();
  window.bessdCharts.energy = new Dygraph(div, rows, Object.assign(baseOpts(), {
    labels: ['Day', 'Solar kWh', 'House kWh', 'Import kWh', 'Export kWh', 'Charged kWh', 'Discharged kWh'],
    colors: [css('--pv'), css('--house'), css('--grid'), css('--muted'), css('--bat'), css('--soc')],
    plotter: barPlotter, labelsDiv: $('energy-legend'), includeZero: true, xRangePad: 24, labelsKMB: false,
    axes: { x: { pixelsPerLabel: 70 }, y: { axisLabelWidth: 44, axisLabelFormatter: (v) => +v.toFixed(2) } },
    ylabel: 'kWh', valueFormatter: (v) => (v == null ? '–' : v.toFixed(v < 10 ? 2 : 1)),
  }));
}

async function loadCompliance() {
  const c = await api('/v1/compliance');
  const box = $('compliance');
  const findings = c.findings || [];
  const notable = findings.filter((f) => f.verdict !== 'pass' && f.verdict !== 'not_applicable');
  const item = (f) => el('li', { class: 'finding' }, badge(f.verdict), el('b', { text: f.rule }),
    el('span', { class: 'grow', text: f.message || f.title }), el('span', { class: 'ref', text: f.reference || '' }));
  const counts = c.counts || {};
  box.replaceChildren(
    el('p', {}, badge(c.verdict), ' ',
      el('span', { class: 'muted small', text: Object.entries(counts).filter(([, n]) => n).map(([k, n]) => `${n} ${words(k)}`).join(' · ') })),
    notable.length ? el('ul', { class: 'list' }, ...notable.map(item))
      : el('p', { class: 'muted small', text: 'Every rule that applies passes.' }),
    el('details', {}, el('summary', { text: `All ${findings.length} findings` }), el('ul', { class: 'list' }, ...findings.map(item))),
    el('p', { class: 'muted small', text: `Checked ${fmtTime(c.checked_at)}` }));
}

for (const b of document.querySelectorAll('[data-range]')) {
  b.addEventListener('click', () => {
    range = b.dataset.range;
    for (const o of document.querySelectorAll('[data-range]')) o.setAttribute('aria-pressed', String(o === b));
    once('history', loadHistory);
  });
}

// ---- events ----
let eventsAll = [];
async function loadEvents() {
  const q = new URLSearchParams({ limit: '500' });
  if ($('events-level').value) q.set('level', $('events-level').value);
  if ($('events-since').value) q.set('since', $('events-since').value);
  const d = await api(`/v1/events?${q}`);
  eventsAll = d.events || [];
  renderEvents();
}
function renderEvents() {
  const t = $('events-text').value.trim().toLowerCase();
  const list = t ? eventsAll.filter((e) => `${e.message} ${e.code} ${e.source}`.toLowerCase().includes(t)) : eventsAll;
  const shown = list.slice(0, 200);
  $('events').replaceChildren(...(shown.length ? shown.map((e) => el('li', {},
    el('time', { datetime: e.time, text: fmtTime(e.time) }), badge(e.severity),
    el('span', { class: 'grow', text: e.message }), el('code', { text: `${e.source} ${e.code}${e.edge === 'once' ? '' : ` ${e.edge}`}` })))
    : [el('li', { class: 'empty', text: 'No events match.' })]));
}
$('events-level').addEventListener('change', () => once('events', loadEvents));
$('events-since').addEventListener('change', () => once('events', loadEvents));
$('events-text').addEventListener('input', renderEvents);
$('events-filter').addEventListener('submit', (ev) => ev.preventDefault());

// ---- start: resume the session from the cookie, else the login form ----
(async () => {
  try {
    const s = await api('/v1/session', { no401: true });
    startSession(s);
  } catch (e) {
    showLogin(e.status === 401 ? '' : `bessd did not answer: ${e.message}`);
  }
})();
