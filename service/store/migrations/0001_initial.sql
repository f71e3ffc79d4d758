-- 0001_initial: domains, runs, per-domain and per-check results, findings and the raw records seen.
-- History is append-only: the triggers at the end refuse UPDATE and DELETE of results, and
-- refuse new results in a run that is complete. A later migration may relax this deliberately.

CREATE TABLE domains (
  id             INTEGER PRIMARY KEY,
  name           TEXT NOT NULL COLLATE NOCASE UNIQUE,  -- A-label form, lower case
  agency_vi      TEXT NOT NULL DEFAULT '',
  agency_en      TEXT NOT NULL DEFAULT '',
  category       TEXT NOT NULL DEFAULT '',
  grp            TEXT NOT NULL DEFAULT '',
  dkim_selectors TEXT NOT NULL DEFAULT '',             -- space-separated
  legacy         INTEGER NOT NULL DEFAULT 0 CHECK (legacy IN (0, 1)),  -- a body merged away
  successor      TEXT NOT NULL DEFAULT '',             -- its successor's domain, when legacy
  first_seen     TEXT NOT NULL,
  updated_at     TEXT NOT NULL
);

CREATE TABLE runs (
  id              INTEGER PRIMARY KEY,
  kind            TEXT NOT NULL CHECK (kind IN ('national', 'self_check')),
  started_at      TEXT NOT NULL,
  finished_at     TEXT,
  state           TEXT NOT NULL DEFAULT 'running'
                  CHECK (state IN ('running', 'complete', 'interrupted')),
  rubric_version  TEXT NOT NULL,
  program_version TEXT NOT NULL,
  options_json    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(options_json))
);
CREATE INDEX runs_by_kind ON runs (kind, state, id);

-- One row per attempt of a domain in a run; a retry in the same run is attempt 2, never an update.
-- The result of a domain in a run is its highest attempt (view latest_domain_results).
CREATE TABLE domain_results (
  id                   INTEGER PRIMARY KEY,
  run_id               INTEGER NOT NULL REFERENCES runs (id),
  domain_id            INTEGER NOT NULL REFERENCES domains (id),
  attempt              INTEGER NOT NULL DEFAULT 1 CHECK (attempt >= 1),
  domain_exists        INTEGER NOT NULL CHECK (domain_exists IN (0, 1)),
  receives_mail        INTEGER NOT NULL CHECK (receives_mail IN (0, 1)),
  sends_mail           INTEGER NOT NULL CHECK (sends_mail IN (0, 1)),
  profile_reasons_json TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(profile_reasons_json)),
  score                REAL,
  grade                TEXT,
  tier                 TEXT,
  dmarc_phase          TEXT,
  started_at           TEXT NOT NULL,
  duration_ms          REAL NOT NULL DEFAULT 0,
  dns_queries          INTEGER NOT NULL DEFAULT 0,
  recorded_at          TEXT NOT NULL,
  UNIQUE (run_id, domain_id, attempt)
);
CREATE INDEX domain_results_by_domain ON domain_results (domain_id, run_id);

CREATE TABLE check_results (
  id               INTEGER PRIMARY KEY,
  domain_result_id INTEGER NOT NULL REFERENCES domain_results (id),
  check_id         TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('na', 'info', 'pass', 'warn', 'fail', 'error')),
  remediation_vi   TEXT NOT NULL DEFAULT '',
  remediation_en   TEXT NOT NULL DEFAULT '',
  evidence_json    TEXT NOT NULL DEFAULT 'null' CHECK (json_valid(evidence_json)),
  UNIQUE (domain_result_id, check_id)
);

CREATE TABLE findings (
  id              INTEGER PRIMARY KEY,
  check_result_id INTEGER NOT NULL REFERENCES check_results (id),
  tag             TEXT NOT NULL,
  status          TEXT NOT NULL CHECK (status IN ('na', 'info', 'pass', 'warn', 'fail', 'error')),
  args_json       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(args_json))
);
CREATE INDEX findings_by_check ON findings (check_result_id);

-- The raw records the audit saw (SPF and DMARC TXT text, MX set, ...), compared between runs.
CREATE TABLE observed_records (
  id               INTEGER PRIMARY KEY,
  domain_result_id INTEGER NOT NULL REFERENCES domain_results (id),
  name             TEXT NOT NULL COLLATE NOCASE,
  type             TEXT NOT NULL,
  value            TEXT NOT NULL
);
CREATE INDEX observed_records_by_result ON observed_records (domain_result_id);

CREATE VIEW latest_domain_results AS
  SELECT dr.* FROM domain_results dr
  WHERE dr.attempt = (SELECT MAX(x.attempt) FROM domain_results x
                      WHERE x.run_id = dr.run_id AND x.domain_id = dr.domain_id);

CREATE TRIGGER runs_no_delete BEFORE DELETE ON runs
BEGIN SELECT RAISE(ABORT, 'runs are append-only'); END;
CREATE TRIGGER runs_complete_is_final BEFORE UPDATE ON runs WHEN OLD.state = 'complete'
BEGIN SELECT RAISE(ABORT, 'a complete run is final'); END;
CREATE TRIGGER domain_results_into_open_run BEFORE INSERT ON domain_results
WHEN (SELECT state FROM runs WHERE id = NEW.run_id) = 'complete'
BEGIN SELECT RAISE(ABORT, 'a complete run takes no more results'); END;
CREATE TRIGGER domain_results_no_update BEFORE UPDATE ON domain_results
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER domain_results_no_delete BEFORE DELETE ON domain_results
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER check_results_no_update BEFORE UPDATE ON check_results
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER check_results_no_delete BEFORE DELETE ON check_results
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER findings_no_update BEFORE UPDATE ON findings
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER findings_no_delete BEFORE DELETE ON findings
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER observed_records_no_update BEFORE UPDATE ON observed_records
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER observed_records_no_delete BEFORE DELETE ON observed_records
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
