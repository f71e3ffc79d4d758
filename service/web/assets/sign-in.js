// The sign-in page: POST /api/v1/session exchanges the pasted token for a session cookie, then
// the account lands on its page (the `next` page it came from, its domain, or the overview); a
// wrong, expired or revoked token, too many attempts and an unreachable server each get a message.
import {errorCode, postJson, setCsrfToken} from './api.js';
import {clear} from './dom.js';
import {initLanguage, onLanguageChange, t} from './i18n.js';
import {landingPath, loadSession, safeNext} from './session.js';

const form = document.getElementById('sign-in-form');
const input = document.getElementById('token-input');
const submit = document.getElementById('sign-in-submit');
const params = new URLSearchParams(window.location.search);
const next = safeNext(params.get('next'));
let message = null;  // {key, params, isError}
let signedIn = null;  // the session this browser already has

function show(key, values = {}, isError = false) {
  message = {key, params: values, isError};
  render();
}

function render() {
  const status = document.getElementById('sign-in-status');
  clear(status);
  status.className = message && message.isError ? 'message error' : 'message';
  if (message) status.textContent = t(message.key, message.params);
  if (message && message.isError) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
  const note = document.getElementById('signed-in-note');
  note.hidden = !signedIn;
  if (signedIn) note.textContent = t('signin.already', {name: signedIn.name});
}

function failure(response) {
  const code = errorCode(response);
  if (response.status === 0) return show('common.networkError', {}, true);
  if (response.status === 429)
    return show('signin.tooMany', {seconds: response.retryAfter ?? 60}, true);
  if (code === 'token_expired' || code === 'expired') return show('signin.expired', {}, true);
  if (code === 'token_revoked' || code === 'revoked') return show('signin.revoked', {}, true);
  if (response.status === 401 || response.status === 400) return show('signin.rejected', {}, true);
  if (code === 'csrf') return show('common.csrf', {}, true);
  return show('signin.failed', {status: response.status}, true);
}

async function signIn(event) {
  event.preventDefault();
  const token = input.value.trim();
  if (!token) {
    show('signin.empty', {}, true);
    input.focus();
    return;
  }
  submit.disabled = true;
  show('signin.checking');
  try {
    const response = await postJson('/api/v1/session', {token});
    input.value = '';  // the token does not stay in the page
    if (!response.ok || !response.body || typeof response.body.role !== 'string') {
      failure(response);
      input.focus();
      return;
    }
    setCsrfToken(response.body.csrf);
    const who = {role: response.body.role, domains: response.body.domains || []};
    show('signin.done', {name: String(response.body.name || '')});
    window.location.assign(next || landingPath(who));
  } finally {
    submit.disabled = false;
  }
}

initLanguage();
onLanguageChange(render);
form.addEventListener('submit', signIn);
if (params.get('signed_out')) show('signin.signedOut');
else if (next) show('signin.needed');
loadSession().then((current) => {
  signedIn = current.signedIn ? current : null;
  if (!current.reachable) show('common.networkError', {}, true);
  else render();
  document.body.dataset.ready = 'true';
});
