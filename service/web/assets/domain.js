// A domain's page (/domain/{name}): latest result with findings and remediation, score history
// chart, what changed between audits, and its CSV history. Anonymous visitors go to sign in; a
// domain outside the account (the API answers 403) gets a clear "not yours" page instead.
import {apiDomainPath, domainPath, errorCode, getJson} from './api.js';
import {clear, el} from './dom.js';
import {initLanguage, onLanguageChange, t} from './i18n.js';
import {
  agencyName,
  renderChanges,
  renderFindings,
  renderScoreHistory,
  renderSummary,
} from './report-view.js';
import {goToSignIn, loadSession, session} from './session.js';

const domain =
  decodeURIComponent(window.location.pathname.replace(/^\/domain\//, '').split('/')[0]);
const state = {result: null, history: null, changes: null, error: null, forbidden: false};

function setStatus(text) {
  document.getElementById('status').textContent = text;
}

function selfCheckLink(id) {
  return el('a', {
    text: t('domain.checkNow'),
    attrs: {id, href: '/self-check?domain=' + encodeURIComponent(domain)},
  });
}

// The "not yours" page: whose account this is, its own domains, and the public self-check.
function renderForbidden() {
  document.title = t('forbidden.title');
  const account = session();
  const host = clear(document.getElementById('not-yours'));
  host.append(
    el('h2', {text: t('forbidden.heading'), attrs: {id: 'not-yours-heading'}}),
    el('p', {text: t('forbidden.text', {domain, name: account.name})}));
  if (account.domains.length) {
    host.append(
      el('p', {text: t('forbidden.yours')}),
      el('ul', {className: 'own-domains'}, account.domains.map((d) =>
        el('li', {}, [el('a', {text: d, attrs: {href: domainPath(d)}})]))));
  }
  host.append(
    el('p', {}, [t('forbidden.selfCheck'), ' ', selfCheckLink('not-yours-self-check')]));
  host.hidden = false;
  document.getElementById('domain-content').hidden = true;
  setStatus('');
}

function render() {
  document.title = t('domain.title', {domain});
  document.getElementById('domain-name').textContent = domain;
  if (state.forbidden) return renderForbidden();
  const agency = document.getElementById('agency');
  agency.textContent = agencyName(state.result && state.result.registry) || '';
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
  const result = await getJson(base);
  if (result.status === 401) return goToSignIn();  // the session ended
  state.forbidden = result.status === 403 && errorCode(result) !== 'csrf';
  state.error = null;
  if (result.ok) {
    const [history, changes] = await Promise.all([getJson(base + '/history'),
      getJson(base + '/changes')]);
    state.result = result.body;
    state.history = history.ok ? history.body : null;
    state.changes = changes.ok ? changes.body : null;
  } else if (!state.forbidden) {
    state.error = errorText(result);
  }
  render();
  document.body.dataset.ready = 'true';
}

async function start() {
  const account = await loadSession();
  if (account.reachable && !account.signedIn) return goToSignIn();
  return load();
}

initLanguage();
onLanguageChange(() => {
  if (document.body.dataset.ready !== 'true') return;
  if (state.error) load();  // the message is rebuilt in the new language
  else render();
});
start();
