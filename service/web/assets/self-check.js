// The self-check form: POST /api/v1/self-check for a registry domain; a fresh stored result comes
// at once (200), otherwise the audit job (202 + Location) is polled until it ends. Then the result
// (findings, remediation, score history chart) or a clear message for 400, 404, 429, 503, a failed
// job and one still running after the service's deadline. Open without signing in: anonymous
// visitors (and accounts the domain is not theirs) see the current findings and remediation only,
// with no score history, evidence or link to the domain's page.
import {apiDomainPath, domainPath, errorCode, errorMessage, getJson, postJson} from './api.js';
import {clear, el} from './dom.js';
import {initLanguage, onLanguageChange, t} from './i18n.js';
import {renderFindings, renderScoreHistory, renderSummary} from './report-view.js';
import {canSeeDomain, loadSession} from './session.js';

const form = document.getElementById('self-check-form');
const input = document.getElementById('domain-input');
const submit = document.getElementById('self-check-submit');
const resultHost = document.getElementById('self-check-result');
const state = {message: null, result: null, history: null, full: false};

function showMessage(key, params, isError, detail) {
  state.message = {key, params, isError, detail};
  renderMessage();
}

function renderMessage() {
  const status = document.getElementById('self-check-status');
  const m = state.message;
  clear(status);
  status.className = m && m.isError ? 'message error' : 'message';
  if (!m) return;
  status.append(el('span', {text: t(m.key, m.params)}));
  if (m.detail) {
    status.append(el('span', {
      className: 'detail',
      text: ' ' + t('selfcheck.serverSaid', {message: m.detail}),
      attrs: {lang: 'en'},
    }));
  }
}

function renderResult() {
  clear(resultHost);
  const result = state.result;
  if (!result) {
    delete resultHost.dataset.state;
    return;
  }
  if (!state.full) {
    resultHost.append(
      el('h2', {text: result.domain}),
      renderSummary(result),
      el('h2', {text: t('domain.findings')}),
      renderFindings(result, {evidence: false}));
    resultHost.dataset.state = 'done';
    return;
  }
  resultHost.append(
    el('h2', {}, [el('a', {text: result.domain, attrs: {href: domainPath(result.domain)}})]),
    renderSummary(result),
    el('h2', {text: t('domain.history')}),
    el('div', {attrs: {id: 'score-history'}}, [renderScoreHistory(result.domain, state.history)]),
    el('h2', {text: t('domain.findings')}),
    renderFindings(result),
    el('p', {}, [el('a', {text: t('domain.open'), attrs: {href: domainPath(result.domain)}})]));
  resultHost.dataset.state = 'done';
}

function failure(response, domain) {
  const seconds = response.retryAfter ?? 60;
  const code = errorCode(response);
  const detail = errorMessage(response);
  if (response.status === 0) return showMessage('common.networkError', {}, true);
  if (response.status === 400) return showMessage('selfcheck.invalid', {}, true, detail);
  if (response.status === 404 || code === 'unknown_domain')
    return showMessage('selfcheck.unknown', {domain}, true);
  if (response.status === 403 && code === 'csrf') return showMessage('common.csrf', {}, true);
  if (response.status === 429) return showMessage('selfcheck.rateLimited', {seconds}, true);
  if (response.status === 503) return showMessage('selfcheck.busy', {seconds}, true);
  if (response.status === 504) return showMessage('selfcheck.timeout', {seconds}, true);
  return showMessage('selfcheck.failed', {status: response.status}, true, detail);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Polls a job until it is no longer running; resolves to the last answer. Gives up (status 0)
// after `limitMs` or when the job keeps failing to answer.
async function pollJob(location, limitMs) {
  const giveUpAt = Date.now() + limitMs;
  let response = {ok: false, status: 0, body: null, retryAfter: null};
  while (Date.now() < giveUpAt) {
    response = await getJson(location);
    if (!response.ok || !response.body || response.body.state !== 'running') return response;
    await sleep(Math.min(Math.max(response.retryAfter ?? 1, 1), 5) * 1000);
  }
  return {ok: false, status: 0, body: null, retryAfter: null};
}

// The result of a self-check: the stored result (200), or the finished job's.
async function runCheck(domain) {
  const response = await postJson('/api/v1/self-check', {domain});
  if (response.status !== 202 || !response.body) return response;
  const location = response.location || '/api/v1/self-check/' + response.body.id;
  const job = await pollJob(location, 10 * 60 * 1000);
  if (!job.ok || !job.body) return job;
  if (job.body.state === 'done') return {ok: true, status: 200, body: job.body.result};
  // A job past the deadline goes on; its result will be stored for a retry in a minute.
  if (job.body.state === 'timeout') return {ok: false, status: 504, body: job.body, retryAfter: 60};
  return {ok: false, status: 500, body: job.body, retryAfter: null};
}

async function check(event) {
  event.preventDefault();
  const domain = input.value.trim();
  state.result = null;
  renderResult();
  if (!domain) {
    showMessage('selfcheck.empty', {}, true);
    input.focus();
    return;
  }
  submit.disabled = true;
  resultHost.setAttribute('aria-busy', 'true');
  showMessage('selfcheck.running', {domain}, false);
  try {
    const response = await runCheck(domain);
    if (!response.ok || !response.body) {
      failure(response, domain);
      return;
    }
    state.full = canSeeDomain(response.body.domain);
    const history =
      state.full ? await getJson(apiDomainPath(response.body.domain) + '/history') : {ok: false};
    state.history = history.ok ? history.body : null;
    state.result = response.body;
    const done = response.body.cached ? 'selfcheck.doneCached' : 'selfcheck.done';
    showMessage(done, {domain: response.body.domain}, false);
    renderResult();
  } finally {
    submit.disabled = false;
    resultHost.removeAttribute('aria-busy');
  }
}

initLanguage();
onLanguageChange(() => {
  renderMessage();
  renderResult();
});
form.addEventListener('submit', check);
const preset = new URLSearchParams(window.location.search).get('domain');
if (preset) input.value = preset;
// The session first: its CSRF value goes with the POST of a signed-in account.
loadSession().then(() => {
  document.body.dataset.ready = 'true';
});
