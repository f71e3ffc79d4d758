// The national overview: tier counts, score distribution, the per-group and per-domain tables
// (sortable), and the §3.4 metrics over the complete national runs as line charts.
import {getJson} from './api.js';
import {barChart, lineChart} from './charts.js';
import {clear, el} from './dom.js';
import {
  formatDate,
  formatNumber,
  formatPercent,
  formatShortDate,
  initLanguage,
  language,
  onLanguageChange,
  t,
  tierLabel,
} from './i18n.js';
import {domainLink} from './report-view.js';

const TIERS = ['non_compliant', 'partial', 'baseline', 'advanced', 'indeterminate', 'none'];
const BASELINE_OR_BETTER = new Set(['baseline', 'advanced']);

const state = {
  domains: [],
  trend: null,
  sort: {groups: {key: 'mean', ascending: true}, domains: {key: 'score', ascending: true}},
};

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

function audited(d) {
  return d.audited_at !== null && d.audited_at !== undefined;
}

// ---- tiers and distribution ----

function renderTiers() {
  const counts = Object.fromEntries(TIERS.map((tier) => [tier, 0]));
  for (const d of state.domains) {
    const tier = audited(d) && d.tier ? d.tier : 'none';
    counts[TIERS.includes(tier) ? tier : 'indeterminate'] += 1;
  }
  clear(document.getElementById('tier-counts')).append(...TIERS.map((tier) =>
    el('li', {className: `tier-card tier-${tier}`, data: {tier}}, [
      el('span', {className: 'count', text: String(counts[tier])}),
      el('span', {className: 'label', text: tierLabel(tier)}),
    ])));
  const total = state.domains.length;
  document.getElementById('tier-total').textContent =
    t('overview.tiersOf', {audited: total - counts.none, total});
}

function renderDistribution() {
  const labels = [];
  const values = [];
  for (let low = 0; low < 100; low += 10) {
    labels.push(low === 90 ? '90–100' : `${low}–${low + 9}`);
    values.push(0);
  }
  for (const d of state.domains)
    if (typeof d.score === 'number') values[Math.min(9, Math.floor(d.score / 10))] += 1;
  clear(document.getElementById('score-distribution')).append(
    barChart({title: t('chart.distribution'), labels, values, valueName: t('table.domains')}));
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
  const agency = (d) =>
    (language() === 'vi' ? d.agency_vi || d.agency_en : d.agency_en || d.agency_vi) || null;
  const columns = [
    {key: 'domain', label: t('table.domain'), value: (d) => d.domain,
      render: (d) => domainLink(d.domain)},
    {key: 'agency', label: t('table.agency'), value: agency},
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

function render() {
  renderTiers();
  renderDistribution();
  renderGroups();
  renderDomains();
  renderTrend();
}

async function load() {
  setStatus(t('common.loading'));
  const [domains, trend] =
    await Promise.all([getJson('/api/v1/domains'), getJson('/api/v1/trend')]);
  if (!domains.ok) {
    setStatus(domains.status === 0
      ? t('common.networkError')
      : t('common.loadError', {status: domains.status}));
    return;
  }
  state.domains = domains.body.domains || [];
  state.trend = trend.ok ? trend.body : null;
  setStatus(trend.ok ? '' : t('common.loadError', {status: trend.status}));
  render();
  document.body.dataset.ready = 'true';
}

initLanguage();
onLanguageChange(() => {
  if (document.body.dataset.ready === 'true') render();
});
load();
