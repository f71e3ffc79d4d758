// The JSON API as the pages use it: every call resolves (never rejects) to
// {ok, status, body, retryAfter, location}; status 0 means the server could not be reached.

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

// A POST of a signed-in page carries the session's X-CSRF-Token (from /api/v1/session).
export async function postJson(url, data) {
  const session = await getJson('/api/v1/session');
  const csrf = session.ok && session.body && session.body.csrf;
  const headers = {'Content-Type': 'application/json', Accept: 'application/json'};
  return request(url, {
    method: 'POST',
    headers: csrf ? {...headers, 'X-CSRF-Token': csrf} : headers,
    body: JSON.stringify(data),
  });
}

// The API's error code ({"error": {"code": ...}}), or ''.
export function errorCode(result) {
  return (result.body && result.body.error && result.body.error.code) || '';
}

export function errorMessage(result) {
  return (result.body && result.body.error && result.body.error.message) || '';
}

export function domainPath(domain) {
  return '/domain/' + encodeURIComponent(domain);
}

export function apiDomainPath(domain) {
  return '/api/v1/domains/' + encodeURIComponent(domain);
}
