// A domain's result as the domain page and the self-check show it: score summary, findings with
// remediation and evidence, the score history chart and what changed between audits.
import {domainPath} from './api.js';
import {lineChart} from './charts.js';
import {el} from './dom.js';
import {
  formatDate,
  formatNumber,
  formatShortDate,
  language,
  statusLabel,
  t,
  tierLabel,
} from './i18n.js';

// Worst first; the rubric order is kept within a status.
const STATUS_ORDER = ['fail', 'warn', 'error', 'info', 'pass', 'na'];

export function statusBadge(status) {
  const known = STATUS_ORDER.includes(status) ? status : 'none';
  return el('span', {className: `badge status-${known}`, text: statusLabel(status)});
}

function runText(run) {
  if (!run) return t('common.none');
  const key = run.kind === 'self_check' ? 'domain.run.self_check' : 'domain.run.national';
  return t(key, {id: run.id});
}

function profileText(result) {
  if (result.exists === false) return t('domain.profile.missing');
  const parts = [];
  if (result.profile && result.profile.receives_mail) parts.push(t('domain.profile.receives'));
  if (result.profile && result.profile.sends_mail) parts.push(t('domain.profile.sends'));
  return parts.length ? parts.join(', ') : t('domain.profile.noMail');
}

function fact(label, value, className = '') {
  return el('div', {className: 'fact ' + className}, [
    el('dt', {text: label}),
    el('dd', {}, [value]),
  ]);
}

// A scoring list (tier reasons, caps) in the page language: results stored before the list had a
// Vietnamese version have only the English one, which is then shown marked as English.
function inPageLanguage(english, vietnamese) {
  english = english || [];
  vietnamese = vietnamese || [];
  if (language() === 'vi' && vietnamese.length === english.length && vietnamese.length)
    return {texts: vietnamese, lang: 'vi', englishOnVietnamesePage: false};
  return {texts: english, lang: 'en', englishOnVietnamesePage: language() === 'vi'};
}

// A titled list of tier reasons or caps; nothing when the list is empty.
function scoringList(className, title, list) {
  if (!list.texts.length) return null;
  return el('div', {className: 'reasons ' + className}, [
    el('h3', {}, [
      title,
      list.englishOnVietnamesePage
        ? el('span', {className: 'note english-only', text: ' ' + t('domain.messageEnglish')})
        : null,
    ]),
    el('ul', {}, list.texts.map((text) => el('li', {text, attrs: {lang: list.lang}}))),
  ]);
}

// The score, grade, tier and audit facts of a result.
export function renderSummary(result) {
  const scoring = result.scoring || {};
  const tier = scoring.tier || null;
  const facts = el('dl', {className: 'facts'}, [
    fact(t('domain.score'), formatNumber(scoring.score, 1), 'score'),
    fact(t('domain.grade'), scoring.grade || t('common.none'), 'grade'),
    fact(t('domain.tier'),
      el('span', {className: `tier tier-${tier || 'none'}`, text: tierLabel(tier)})),
    fact(t('domain.auditedAt'), formatDate(result.started_at)),
    fact(t('domain.run'), runText(result.run) + (result.cached ? ' · ' + t('domain.cached') : '')),
    fact(t('domain.profile'), profileText(result)),
  ]);
  const notes = [];
  if (result.network_checked === false)
    notes.push(el('p', {className: 'note', text: t('domain.noSmtp')}));
  const reasons = inPageLanguage(scoring.tier_reasons, scoring.tier_reasons_vi);
  const caps = inPageLanguage(scoring.caps, scoring.caps_vi);
  notes.push(scoringList('tier-reasons', t('domain.tierReasons'), reasons));
  notes.push(scoringList('score-caps', t('domain.caps'), caps));
  return el('div', {className: 'summary'}, [facts, ...notes]);
}

function remediationText(check) {
  const remediation = check.remediation || {};
  const text =
    language() === 'vi' ? remediation.vi || remediation.en : remediation.en || remediation.vi;
  return text || '';
}

// A finding in the page language: results stored before Vietnamese messages existed have only the
// English one, which is then shown marked as English.
function findingItem(finding) {
  const vietnamese = language() === 'vi' && finding.message_vi;
  const englishOnVietnamesePage = language() === 'vi' && !finding.message_vi;
  return el('li', {className: 'finding'}, [
    statusBadge(finding.status),
    ' ',
    el('span', {
      className: 'finding-text',
      text: (vietnamese ? finding.message_vi : finding.message) || finding.tag,
      attrs: {lang: vietnamese ? 'vi' : 'en'},
    }),
    englishOnVietnamesePage
      ? el('span', {className: 'note english-only', text: ' ' + t('domain.messageEnglish')})
      : null,
    ' ',
    el('code', {className: 'tag', text: '[' + finding.tag + ']'}),
  ]);
}

function checkArticle(check, withEvidence) {
  const title = check.title ? (language() === 'vi' ? check.title.vi : check.title.en) : '';
  const remediation = remediationText(check);
  const findings = check.findings || [];
  return el('article', {className: `check status-${check.status}`, data: {check: check.id}}, [
    el('h3', {}, [
      statusBadge(check.status),
      ' ',
      el('span', {className: 'check-id', text: check.id}),
      title ? ' ' + title : '',
    ]),
    findings.length ? el('ul', {className: 'findings'}, findings.map(findingItem)) : null,
    remediation
      ? el('div', {className: 'remediation'}, [
        el('h4', {text: t('domain.remediation')}),
        ...remediation.split('\n').map((line) => el('p', {text: line})),
      ])
      : null,
    withEvidence
      ? el('details', {className: 'evidence'}, [
        el('summary', {text: t('domain.evidence')}),
        el('pre', {text: JSON.stringify(check.evidence ?? {}, null, 2)}),
      ])
      : null,
  ]);
}

// Every check of a result, worst first; `evidence: false` leaves the evidence out (the public
// self-check shows findings and remediation only).
export function renderFindings(result, {evidence = true} = {}) {
  const checks = [...(result.checks || [])];
  const rank = (s) => {
    const i = STATUS_ORDER.indexOf(s);
    return i < 0 ? STATUS_ORDER.length : i;
  };
  checks.sort((a, b) => rank(a.status) - rank(b.status));
  const count = (s) => checks.filter((c) => c.status === s).length;
  return el('div', {className: 'findings-list', attrs: {id: 'findings'}}, [
    el('p', {
      className: 'note',
      text: t('domain.findingsSummary',
        {fail: count('fail'), warn: count('warn'), error: count('error')}) +
        ' · ' + t('domain.messageNote'),
    }),
    ...checks.map((check) => checkArticle(check, evidence)),
  ]);
}

// The score over the audits of the history endpoint (newest first there, oldest first here).
export function renderScoreHistory(domain, historyBody) {
  const entries = [...((historyBody && historyBody.history) || [])].reverse();
  if (!entries.length) return el('p', {className: 'note', text: t('chart.empty')});
  const labels = entries.map((e) => `#${e.run.id} ${formatShortDate(e.audited_at)}`);
  return lineChart({
    title: t('chart.scoreHistory', {domain}),
    labels,
    series: [{name: t('chart.score'), values: entries.map((e) => e.score)}],
    yMax: 100,
  });
}

function values(list) {
  return list && list.length ? list.map((v) => `"${v}"`).join(' | ') : t('domain.recordNone');
}

function changeItem(audit) {
  const items = [];
  if (audit.previous_score !== audit.score)
    items.push(el('li', {text: t('domain.scoreChange',
      {before: formatNumber(audit.previous_score, 1), after: formatNumber(audit.score, 1)})}));
  for (const c of audit.status_changes || []) {
    const regression = (audit.regressions || []).find((r) => r.check === c.check);
    const note = c.regression
      ? ` (${t('domain.regression')}, ${regression && regression.confirmed
        ? t('domain.confirmed', {by: regression.confirmed_by})
        : t('domain.unconfirmed')})`
      : '';
    items.push(el('li', {className: c.regression ? 'regression' : ''}, [
      el('span', {className: 'check-id', text: c.check}), ': ',
      statusBadge(c.before), ' → ', statusBadge(c.after), note,
    ]));
  }
  for (const r of audit.record_changes || [])
    items.push(el('li', {className: 'record-change'}, [el('code', {text: t('domain.recordChange',
      {name: r.name, type: r.type, before: values(r.before), after: values(r.after)})})]));
  return el('li', {className: 'change'}, [
    el('h3', {
      text: t('domain.changeHeading',
        {run: runText(audit.run), date: formatDate(audit.audited_at)}),
    }),
    el('ul', {}, items),
  ]);
}

// What changed between consecutive audits (newest first), from /api/v1/domains/{d}/changes.
export function renderChanges(changesBody) {
  const audits = (changesBody && changesBody.audits) || [];
  if (audits.length < 2) return el('p', {className: 'note', text: t('domain.changesOne')});
  const changed = audits.filter((a) => a.previous_run !== null &&
    (a.previous_score !== a.score || (a.status_changes || []).length ||
      (a.record_changes || []).length));
  if (!changed.length) return el('p', {className: 'note', text: t('domain.changesNone')});
  return el('ol', {className: 'changes', attrs: {id: 'changes-list'}}, changed.map(changeItem));
}

// The agency of a registry entry (or domain row) with agency_vi/agency_en in the page language,
// or null.
export function agencyName(entry) {
  if (!entry) return null;
  const names = language() === 'vi' ? [entry.agency_vi, entry.agency_en]
    : [entry.agency_en, entry.agency_vi];
  return names[0] || names[1] || null;
}

export function domainLink(domain) {
  return el('a', {text: domain, attrs: {href: domainPath(domain)}});
}
