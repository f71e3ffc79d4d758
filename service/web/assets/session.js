// The signed-in account as every page sees it: GET /api/v1/session once per page, the header's
// account area (name, role, sign-out), where an account lands, and the way to the sign-in page.
import {deleteJson, domainPath, getJson, setCsrfToken} from './api.js';
import {clear, el} from './dom.js';
import {hasText, onLanguageChange, t} from './i18n.js';

const ANONYMOUS = {signedIn: false, reachable: true, role: 'anonymous', name: '', domains: []};
let current = ANONYMOUS;
let signOutProblem = null;  // {status} of a sign-out the server refused

function account(body) {
  return {
    signedIn: true,
    reachable: true,
    role: String(body.role),
    name: String(body.name || ''),
    domains: Array.isArray(body.domains) ? body.domains.map((d) => String(d).toLowerCase()) : [],
  };
}

// The session of this browser: {signedIn, reachable, role, name, domains}. A 401 is anonymous;
// a server that cannot be reached (or fails) is anonymous with reachable false, so pages say so
// instead of sending the visitor to the sign-in page.
export async function loadSession() {
  const r = await getJson('/api/v1/session');
  if (r.ok && r.body && typeof r.body.role === 'string') {
    current = account(r.body);
    setCsrfToken(r.body.csrf);
  } else {
    current = {...ANONYMOUS, reachable: r.status === 401 || r.status === 404};
    setCsrfToken('');
  }
  renderAccount();
  return current;
}

export function session() {
  return current;
}

// True when the account may read `domain` in full (history, changes, evidence).
export function canSeeDomain(domain) {
  if (current.role === 'admin' || current.role === 'auditor') return true;
  return current.role === 'agency' && current.domains.includes(String(domain).toLowerCase());
}

// Where an account goes after signing in (or on `/`): an agency with one domain to its page,
// everyone else to `/` (the national overview, or an agency's list of its domains).
export function landingPath(who = current) {
  if (who.role === 'agency' && who.domains.length === 1) return domainPath(who.domains[0]);
  return '/';
}

// A same-origin path (with query) from an untrusted `next` parameter, or null.
export function safeNext(text) {
  if (!text || !text.startsWith('/') || text.startsWith('//') || text.startsWith('/\\'))
    return null;
  try {
    const url = new URL(text, window.location.origin);
    if (url.origin !== window.location.origin || url.pathname === '/sign-in') return null;
    return url.pathname + url.search;
  } catch {
    return null;
  }
}

// Leaves this page for the sign-in page, which comes back here after signing in.
export function goToSignIn() {
  const here = window.location.pathname + window.location.search;
  window.location.replace(here === '/' ? '/sign-in' : '/sign-in?next=' + encodeURIComponent(here));
}

async function signOut(button) {
  button.disabled = true;
  const r = await deleteJson('/api/v1/session');
  if (r.ok || r.status === 401) {
    setCsrfToken('');
    window.location.assign('/sign-in?signed_out=1');
    return;
  }
  signOutProblem = {status: r.status};
  button.disabled = false;
  renderAccount();
}

function renderNavigation() {
  const overview = document.getElementById('nav-overview');
  if (!overview) return;
  // Anonymous visitors have no overview to open; an agency's `/` lists its own domains.
  overview.hidden = !current.signedIn;
  overview.dataset.i18n = current.role === 'agency' ? 'nav.mine' : 'nav.overview';
  overview.textContent = t(overview.dataset.i18n);
}

// The header's account area: name, role and sign-out, or the sign-in link.
function renderAccount() {
  document.body.dataset.role = current.role;
  renderNavigation();
  const host = document.getElementById('account');
  if (!host) return;
  clear(host);
  if (!current.signedIn) {
    const here = window.location.pathname === '/sign-in';
    host.append(el('a', {
      className: 'sign-in-link',
      text: t('account.signIn'),
      attrs: {id: 'sign-in-link', href: '/sign-in', 'aria-current': here ? 'page' : null},
    }));
    return;
  }
  const button = el('button', {
    className: 'sign-out',
    text: t('account.signOut'),
    attrs: {id: 'sign-out', type: 'button'},
  });
  button.addEventListener('click', () => signOut(button));
  host.append(
    el('span', {className: 'visually-hidden', text: t('account.signedInAs')}),
    el('span', {className: 'account-name', text: current.name, attrs: {id: 'account-name'}}),
    ' ',
    el('span', {
      className: `account-role role-${current.role}`,
      text: hasText('role.' + current.role) ? t('role.' + current.role) : current.role,
      attrs: {id: 'account-role'},
    }),
    ' ',
    button);
  if (signOutProblem) {
    host.append(el('span', {
      className: 'message error',
      text: t('account.signOutFailed', signOutProblem),
      attrs: {role: 'alert'},
    }));
  }
}

onLanguageChange(renderAccount);
