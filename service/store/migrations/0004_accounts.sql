-- 0004_accounts: who may see what (README "Who may see what"). Accounts hold only the SHA-256 of
-- their bearer token; sessions only the SHA-256 of their cookie value; the audit log records
-- sign-ins, failed sign-ins, token changes and admin actions. Times are UTC ISO 8601
-- ("2026-12-07T22:42:25Z"), so that comparing the texts compares the times.

CREATE TABLE accounts (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('admin', 'auditor', 'agency')),
  domains TEXT NOT NULL DEFAULT '',        -- agency: its domains, lower case, comma-separated
  token_sha256 TEXT NOT NULL UNIQUE,       -- lower-case hex SHA-256 of the token
  created_at TEXT NOT NULL,
  expires_at TEXT,                         -- NULL: never
  revoked_at TEXT                          -- NULL: in force
);

-- A dashboard sign-in. account_id NULL: signed in with a token of the configuration
-- (admin.token_sha256), whose hash is kept to end the session when it leaves the configuration.
CREATE TABLE sessions (
  id_sha256 TEXT PRIMARY KEY,              -- lower-case hex SHA-256 of the cookie value
  account_id INTEGER REFERENCES accounts(id) ON DELETE CASCADE,
  config_token_sha256 TEXT,
  csrf TEXT NOT NULL,
  client TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_seen_at TEXT NOT NULL,
  CHECK ((account_id IS NULL) <> (config_token_sha256 IS NULL))
);
CREATE INDEX sessions_account ON sessions(account_id);

-- Append-only. account_id has no foreign key: the log outlives what it names.
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  account_id INTEGER,
  account_name TEXT NOT NULL DEFAULT '',
  client TEXT NOT NULL DEFAULT '',
  action TEXT NOT NULL,                    -- sign_in, sign_in_failed, sign_out, token_create, ...
  detail TEXT NOT NULL DEFAULT '',
  outcome TEXT NOT NULL                    -- ok, denied, or an HTTP status
);
CREATE INDEX audit_log_at ON audit_log(at);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
