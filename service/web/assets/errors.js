// Collects the page's uncaught errors, rejected promises, failed loads and CSP violations in
// window.mhPageProblems (loaded first, as a classic script; the browser test reads it).
'use strict';
window.mhPageProblems = { errors: [], csp: [] };
window.addEventListener(
  'error',
  (event) => {
    const target = event.target;
    if (target && target !== window && (target.src || target.href)) {
      window.mhPageProblems.errors.push('failed to load ' + (target.src || target.href));
      return;
    }
    window.mhPageProblems.errors.push(
      String(event.message) + ' at ' + String(event.filename) + ':' + String(event.lineno));
  },
  true);
window.addEventListener('unhandledrejection', (event) => {
  const reason = event.reason;
  window.mhPageProblems.errors.push(
    'unhandled rejection: ' + String((reason && reason.stack) || reason));
});
document.addEventListener('securitypolicyviolation', (event) => {
  window.mhPageProblems.csp.push(event.violatedDirective + ' blocked ' + event.blockedURI);
});
