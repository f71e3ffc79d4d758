// The landing page `/`: for auditors and admins the national overview (tier counts, score
// distribution, the per-group and per-domain tables, sortable, the §3.4 metrics over the complete
// national runs as line charts; admins can start a run); for an agency the list of its own domains
// (with one domain it goes straight to that domain's page); anonymous visitors get the national
// aggregates when the service publishes them (public_overview), else the sign-in page.
import {apiDomainPath, errorCode, getJson, postJson} from './api.js';
import {barChart, lineChart} from './charts.js';
import {clear, el} from './dom.js';
import {
  formatDate,
  formatNumber,
  formatPercent,
  formatShortDate,
  initLanguage,
  onLanguageChange,
  t,
  tierLabel,
} from './i18n.js';
import {agencyName, domainLink} from './report-view.js';
import {goToSignIn, landingPath, loadSession} from './session.js';

const TIERS = ['non_compliant', 'partial', 'baseline', 'advanced', 'indeterminate', 'none'];
const BASELINE_OR_BETTER = new Set(['baseline', 'advanced']);

const state = {
  view: null,  // 'national', 'public' or 'mine'
  domains: [],
  tiers: null,  // {counts: {tier: n}, audited, total, run}: run is set for the public aggregates
  distribution: [],  // domains per score range of ten
  trend: null,
  mine: [],  // an agency's domains: {domain, result} (result null when it could not be read)
  run: null,  // {key, params, isError} of the last start-run attempt
  sort: {groups: {key: 'mean', ascending: true}, domains: {key: 'score', ascending: true}},
};

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

function audited(d) {
  return d.audited_at !== null && d.audited_at !== undefined;
}

// ---- tiers and distribution ----

// Tier counts and the score distribution of every domain's latest result.
function summariseDomains(domains) {
  const counts = Object.fromEntries(TIERS.map((tier) => [tier, 0]));
  const distribution = new Array(10).fill(0);
  for (const d of domains) {
    const tier = audited(d) && d.tier ? d.tier : 'none';
    counts[TIERS.includes(tier) ? tier : 'indeterminate'] += 1;
    if (typeof d.score === 'number') distribution[Math.min(9, Math.floor(d.score / 10))] += 1;
  }
  state.tiers = {counts, audited: domains.length - counts.none, total: domains.length, run: null};
  state.distribution = distribution;
}

// The same from the public aggregates: the latest complete national run's tiers.
function summarisePublic(body) {
  const runs = body.runs || [];
  const latest = runs.length ? runs[runs.length - 1] : null;
  const counts = Object.fromEntries(TIERS.map((tier) => [tier, 0]));
  for (const [tier, n] of Object.entries((latest && latest.all.tiers) || {}))
    counts[TIERS.includes(tier) ? tier : 'indeterminate'] += Number(n) || 0;
  const audited = Object.values(counts).reduce((sum, n) => sum + n, 0);
  state.tiers = {counts, audited, total: audited, run: latest ? latest.id : null};
  const bins = (body.score_distribution && body.score_distribution.counts) || [];
  state.distribution = Array.from({length: 10}, (_, i) => Number(bins[i]) || 0);
}

function renderTiers() {
  const {counts, audited: count, total, run} = state.tiers;
  clear(document.getElementById('tier-counts')).append(...TIERS.map((tier) =>
    el('li', {className: `tier-card tier-${tier}`, data: {tier}}, [
      el('span', {className: 'count', text: String(counts[tier])}),
      el('span', {className: 'label', text: tierLabel(tier)}),
    ])));
  document.getElementById('tier-total').textContent = run === null
    ? t('overview.tiersOf', {audited: count, total})
    : t('public.tiersOf', {run, audited: count});
}

function renderDistribution() {
  const labels = [];
  for (let low = 0; low < 100; low += 10) labels.push(low === 90 ? '90–100' : `${low}–${low + 9}`);
  clear(document.getElementById('score-distribution')).append(barChart(
    {title: t('chart.distribution'), labels, values: state.distribution,
      valueName: t('table.domains')}));
}

// ---- sortable tables ----

function compare(a, b, ascending) {
  const missingA = a === null || a === undefined || Number.isNaN(a);
  const missingB = b === null || b === undefined || Number.isNaN(b);
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? 1 : -1;  // last
  const order = typeof a === 'number' ? a - b : String(a).localeCompare(String(b), 'vi');
  return ascending ? order : -order;
}

// A table whose headers are sort buttons; `sort` is {key, ascending}, changed on click.
function sortableTable(name, caption, columns, rows) {
  const sort = state.sort[name];
  const column = columns.find((c) => c.key === sort.key) || columns[0];
  const sorted =
    [...rows].sort((a, b) => compare(column.value(a), column.value(b), sort.ascending));
  const header = columns.map((c) => {
    const active = c.key === sort.key;
    const button = el('button', {
      className: 'sort',
      text: c.label,
      attrs: {type: 'button', title: t('common.sortBy', {column: c.label})},
      data: {sortKey: c.key},
    });
    button.addEventListener('click', () => {
      // A new score column starts with the best first; text columns from A.
      const byScore = c.key === 'mean' || c.key === 'score';
      state.sort[name] = {key: c.key, ascending: active ? !sort.ascending : !byScore};
      render();
    });
    return el('th', {
      className: c.numeric ? 'num' : '',
      attrs: {
        scope: 'col',
        'aria-sort': active ? (sort.ascending ? 'ascending' : 'descending') : 'none',
      },
    }, [button]);
  });
  return el('table', {className: 'data', attrs: {id: `${name}-table`}}, [
    el('caption', {className: 'visually-hidden', text: caption}),
    el('thead', {}, [el('tr', {}, header)]),
    el('tbody', {}, sorted.map((row) => el('tr', {}, columns.map((c, i) => {
      const content = c.render ? c.render(row) : c.value(row);
      const cell = i === 0 ? 'th' : 'td';
      return el(cell, {className: c.numeric ? 'num' : '', attrs: i === 0 ? {scope: 'row'} : {}},
        [content === null || content === undefined ? t('common.none') : content]);
    })))),
  ]);
}

function groupRows() {
  const groups = new Map();
  for (const d of state.domains) {
    const name = d.group || d.category || t('common.none');
    if (!groups.has(name))
      groups.set(name, {name, domains: 0, audited: 0, scores: [], baseline: 0});
    const g = groups.get(name);
    g.domains += 1;
    if (audited(d)) g.audited += 1;
    if (typeof d.score === 'number') g.scores.push(d.score);
    if (BASELINE_OR_BETTER.has(d.tier)) g.baseline += 1;
  }
  return [...groups.values()].map((g) => ({
    ...g,
    mean: g.scores.length ? g.scores.reduce((s, x) => s + x, 0) / g.scores.length : null,
    baselinePercent: g.audited ? (100 * g.baseline) / g.audited : null,
  }));
}

function renderGroups() {
  const columns = [
    {key: 'name', label: t('table.group'), value: (g) => g.name},
    {key: 'domains', label: t('table.domains'), numeric: true, value: (g) => g.domains},
    {key: 'audited', label: t('table.audited'), numeric: true, value: (g) => g.audited},
    {key: 'mean', label: t('table.mean'), numeric: true, value: (g) => g.mean,
      render: (g) => formatNumber(g.mean, 1)},
    {key: 'baseline', label: t('table.baseline'), numeric: true, value: (g) => g.baselinePercent,
      render: (g) => (g.audited ? `${g.baseline} (${formatPercent(g.baselinePercent)})` : null)},
  ];
  clear(document.getElementById('groups')).append(
    sortableTable('groups', t('overview.groups'), columns, groupRows()));
}

function renderDomains() {
  const columns = [
    {key: 'domain', label: t('table.domain'), value: (d) => d.domain,
      render: (d) => domainLink(d.domain)},
    {key: 'agency', label: t('table.agency'), value: agencyName},
    {key: 'group', label: t('table.group'), value: (d) => d.group || null},
    {key: 'score', label: t('table.score'), numeric: true, value: (d) => d.score,
      render: (d) => formatNumber(d.score, 1)},
    {key: 'grade', label: t('table.grade'), value: (d) => d.grade},
    {key: 'tier', label: t('table.tier'), value: (d) => (audited(d) ? tierLabel(d.tier) : null)},
    {key: 'audited_at', label: t('table.auditedAt'), value: (d) => d.audited_at,
      render: (d) => (audited(d) ? formatDate(d.audited_at) : null)},
  ];
  const host = clear(document.getElementById('domains'));
  if (!state.domains.length) {
    host.append(el('p', {className: 'note', text: t('overview.noDomains')}));
    return;
  }
  host.append(sortableTable('domains', t('overview.domains'), columns, state.domains));
}

// ---- trend over national runs ----

function renderTrend() {
  const host = clear(document.getElementById('trend-charts'));
  const runs = (state.trend && state.trend.runs) || [];
  if (!runs.length) {
    host.append(el('p', {className: 'note', text: t('overview.trendNone')}));
    return;
  }
  const labels = runs.map((r) => `#${r.id} ${formatShortDate(r.started_at)}`);
  host.append(lineChart({
    title: t('chart.scores'),
    labels,
    series: [
      {name: t('chart.mean'), values: runs.map((r) => r.all.mean_score)},
      {name: t('chart.median'), values: runs.map((r) => r.all.median_score)},
    ],
    yMax: 100,
    size: 'small',
  }));
  for (const metric of state.trend.metrics) {
    const key = 'metric.' + metric.name;
    const title = t(key) === key ? metric.description : t(key);
    host.append(lineChart({
      title,
      labels,
      series: [{name: title, values: runs.map((r) => {
        const m = r.mail.metrics[metric.name];
        return m ? m.percent : null;
      })}],
      yMax: 100,
      unit: '%',
      size: 'small',
    }));
  }
}

function renderNational() {
  renderTiers();
  renderDistribution();
  if (state.view === 'national') {
    renderGroups();
    renderDomains();
  }
  renderTrend();
}

// ---- an agency's own domains ----

function renderMine() {
  const host = clear(document.getElementById('my-domains-list'));
  if (!state.mine.length) {
    host.append(el('p', {className: 'note', text: t('mine.none')}));
    return;
  }
  const row = ({domain, result}) => {
    const scoring = (result && result.scoring) || {};
    const cells = [
      agencyName(result && result.registry),
      formatNumber(scoring.score, 1),
      result ? tierLabel(scoring.tier) : null,
      result ? formatDate(result.started_at) : null,
    ];
    return el('tr', {}, [
      el('th', {attrs: {scope: 'row'}}, [domainLink(domain)]),
      ...cells.map((c, i) => el('td', {className: i === 1 ? 'num' : ''},
        [c === null || c === undefined ? t('common.none') : c])),
    ]);
  };
  const headers = ['table.domain', 'table.agency', 'table.score', 'table.tier', 'table.auditedAt'];
  host.append(el('table', {className: 'data', attrs: {id: 'my-domains-table'}}, [
    el('caption', {className: 'visually-hidden', text: t('mine.heading')}),
    el('thead', {}, [el('tr', {}, headers.map((key, i) =>
      el('th', {className: i === 2 ? 'num' : '', text: t(key), attrs: {scope: 'col'}})))]),
    el('tbody', {}, state.mine.map(row)),
  ]));
}

function render() {
  if (state.view === 'mine') {
    document.title = t('mine.title');
    renderMine();
  } else if (state.view === 'national') {
    renderNational();
    renderRunStatus();
  } else if (state.view === 'public') {
    renderNational();
  }
}

async function loadMine(domains) {
  state.view = 'mine';
  for (const [id, key] of [['overview-heading', 'mine.heading'], ['overview-intro', 'mine.intro']])
    document.getElementById(id).dataset.i18n = key;
  document.getElementById('overview-heading').textContent = t('mine.heading');
  document.getElementById('overview-intro').textContent = t('mine.intro');
  document.getElementById('my-domains').hidden = false;
  setStatus(t('common.loading'));
  const answers = await Promise.all(domains.map((d) => getJson(apiDomainPath(d))));
  state.mine = domains.map((domain, i) => ({domain, result: answers[i].ok ? answers[i].body : null}));
  setStatus('');
  render();
  document.body.dataset.ready = 'true';
}

// ---- starting a national run (admins) ----

function renderRunStatus() {
  const status = document.getElementById('run-status');
  status.className = state.run && state.run.isError ? 'message error' : 'message';
  status.textContent = state.run ? t(state.run.key, state.run.params) : '';
}

async function startRun() {
  const button = document.getElementById('start-run');
  button.disabled = true;
  const r = await postJson('/api/v1/runs', {});
  button.disabled = false;
  const code = errorCode(r);
  if (r.status === 202 && r.body) state.run = {key: 'run.started', params: {id: r.body.run_id}};
  else if (r.status === 409) state.run = {key: 'run.inProgress', params: {}, isError: true};
  else if (r.status === 403 && code === 'csrf') state.run = {key: 'common.csrf', params: {}, isError: true};
  else if (r.status === 401 || r.status === 403)
    state.run = {key: 'run.forbidden', params: {}, isError: true};
  else if (r.status === 0) state.run = {key: 'common.networkError', params: {}, isError: true};
  else state.run = {key: 'run.failed', params: {status: r.status}, isError: true};
  renderRunStatus();
}

async function loadNational(role) {
  state.view = 'national';
  document.getElementById('national').hidden = false;
  if (role === 'admin') {
    document.getElementById('run-control').hidden = false;
    document.getElementById('start-run').addEventListener('click', startRun);
  }
  setStatus(t('common.loading'));
  const [domains, trend] =
    await Promise.all([getJson('/api/v1/domains'), getJson('/api/v1/trend')]);
  if (domains.status === 401) return goToSignIn();
  if (!domains.ok) {
    setStatus(domains.status === 0
      ? t('common.networkError')
      : t('common.loadError', {status: domains.status}));
    return;
  }
  state.domains = domains.body.domains || [];
  summariseDomains(state.domains);
  state.trend = trend.ok ? trend.body : null;
  setStatus(trend.ok ? '' : t('common.loadError', {status: trend.status}));
  render();
  document.body.dataset.ready = 'true';
}

// The national aggregates for anonymous visitors (GET /api/v1/overview/public, open only when
// the service sets public_overview): tiers, distribution and trend, nothing per domain.
async function loadPublic() {
  const overview = await getJson('/api/v1/overview/public');
  if (!overview.ok || !overview.body) return goToSignIn();
  state.view = 'public';
  for (const section of document.querySelectorAll('#national .per-domain')) section.hidden = true;
  document.getElementById('public-note').hidden = false;
  document.getElementById('overview-intro').hidden = true;
  document.getElementById('national').hidden = false;
  summarisePublic(overview.body);
  state.trend = overview.body;
  setStatus('');
  render();
  document.body.dataset.ready = 'true';
}

async function start() {
  const account = await loadSession();
  if (!account.reachable) {
    setStatus(t('common.networkError'));
    return;
  }
  if (!account.signedIn) return loadPublic();
  if (account.role === 'agency') {
    const landing = landingPath(account);
    if (landing !== '/') return window.location.replace(landing);
    return loadMine(account.domains);
  }
  return loadNational(account.role);
}

initLanguage();
onLanguageChange(() => {
  if (document.body.dataset.ready === 'true') render();
});
start();
