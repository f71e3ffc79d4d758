// A domain's page (/domain/{name}): latest result with findings and remediation, score history
// chart, what changed between audits, and its CSV history.
import {apiDomainPath, errorCode, getJson} from './api.js';
import {clear, el} from './dom.js';
import {initLanguage, language, onLanguageChange, t} from './i18n.js';
import {renderChanges, renderFindings, renderScoreHistory, renderSummary} from './report-view.js';

const domain =
  decodeURIComponent(window.location.pathname.replace(/^\/domain\//, '').split('/')[0]);
const state = {result: null, history: null, changes: null, error: null};

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

function selfCheckLink() {
  return el('a', {
    text: t('domain.checkNow'),
    attrs: {href: '/self-check?domain=' + encodeURIComponent(domain)},
  });
}

function render() {
  document.title = t('domain.title', {domain});
  document.getElementById('domain-name').textContent = domain;
  const agency = document.getElementById('agency');
  const registry = state.result && state.result.registry;
  const names = registry ? [registry.agency_vi, registry.agency_en] : [];
  agency.textContent = (language() === 'vi' ? names[0] || names[1] : names[1] || names[0]) || '';
  for (const format of ['csv', 'xlsx']) {
    document.getElementById('history-' + format).href =
      '/reports/domains/' + encodeURIComponent(domain) + '/history.' + format;
  }
  clear(document.getElementById('check-now')).append(selfCheckLink());

  if (state.error) {
    setStatus(state.error);
    for (const id of ['summary', 'score-history', 'changes', 'findings-host'])
      clear(document.getElementById(id));
    return;
  }
  setStatus('');
  clear(document.getElementById('summary')).append(renderSummary(state.result));
  clear(document.getElementById('score-history')).append(renderScoreHistory(domain, state.history));
  clear(document.getElementById('changes')).append(renderChanges(state.changes));
  clear(document.getElementById('findings-host')).append(renderFindings(state.result));
}

function errorText(result) {
  const code = errorCode(result);
  if (result.status === 0) return t('common.networkError');
  if (code === 'not_audited') return t('domain.notAudited', {domain});
  if (code === 'unknown_domain') return t('domain.unknown', {domain});
  if (result.status === 400) return t('domain.invalid');
  return t('common.loadError', {status: result.status});
}

async function load() {
  setStatus(t('common.loading'));
  const base = apiDomainPath(domain);
  const [result, history, changes] =
    await Promise.all([getJson(base), getJson(base + '/history'), getJson(base + '/changes')]);
  if (!result.ok) {
    state.error = errorText(result);
  } else {
    state.result = result.body;
    state.history = history.ok ? history.body : null;
    state.changes = changes.ok ? changes.body : null;
  }
  render();
  document.body.dataset.ready = 'true';
}

initLanguage();
onLanguageChange(() => {
  if (document.body.dataset.ready !== 'true') return;
  if (state.error) load();  // the message is rebuilt in the new language
  else render();
});
load();
