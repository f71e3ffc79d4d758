// The JSON API as the pages use it: every call resolves (never rejects) to
// {ok, status, body, retryAfter, location}; status 0 means the server could not be reached.
// Once signed in by cookie, every POST and DELETE carries the session's X-CSRF-Token.

let csrfToken = '';

// The anti-CSRF value of the session (from /api/v1/session); '' when signed out.
export function setCsrfToken(value) {
  csrfToken = typeof value === 'string' ? value : '';
}

function changing(headers) {
  return csrfToken ? {...headers, 'X-CSRF-Token': csrfToken} : headers;
}

async function request(url, init) {
  let response;
  try {
    response = await fetch(url, {credentials: 'same-origin', ...init});
  } catch {
    return {ok: false, status: 0, body: null, retryAfter: null, location: null};
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;  // not JSON (or empty)
  }
  const retry = Number.parseInt(response.headers.get('Retry-After') || '', 10);
  return {
    ok: response.ok,
    status: response.status,
    body,
    retryAfter: Number.isFinite(retry) ? retry : null,
    location: response.headers.get('Location'),
  };
}

export function getJson(url) {
  return request(url, {headers: {Accept: 'application/json'}});
}

export function postJson(url, data) {
  return request(url, {
    method: 'POST',
    headers: changing({'Content-Type': 'application/json', Accept: 'application/json'}),
    body: JSON.stringify(data),
  });
}

export function deleteJson(url) {
  return request(url, {method: 'DELETE', headers: changing({Accept: 'application/json'})});
}

// The API's error code ({"error": {"code": ...}}, or a top-level "code"), or ''.
export function errorCode(result) {
  const body = result.body;
  if (!body) return '';
  return (body.error && body.error.code) || (typeof body.code === 'string' ? body.code : '');
}

// The API's error message ({"error": {"message": ...}}, or "error" as text), or ''.
export function errorMessage(result) {
  const error = result.body && result.body.error;
  if (typeof error === 'string') return error;
  return (error && error.message) || '';
}

export function domainPath(domain) {
  return '/domain/' + encodeURIComponent(domain);
}

export function apiDomainPath(domain) {
  return '/api/v1/domains/' + encodeURIComponent(domain);
}
