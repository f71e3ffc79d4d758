-- 0002_shared_content: what results share is kept once. Evidence once per distinct content
-- (SHA-256 of its JSON text), remediation texts once per distinct pair, the checks of a result
-- (statuses, findings with their arguments, references to evidence and remediation, and the
-- typed facts reports read) once per distinct set, the observed records once per distinct set.
-- A domain result points at its check set and observed set, so a domain that changed nothing
-- since yesterday adds one domain_results row. latest_results points at each domain's newest
-- result (one lookup); run_rollups keeps the counts and §3.4 metrics of each complete run.
-- The program converts every result of 0001 into these tables right after this script (see
-- service/store/sqlite_store.cpp), then 0003 drops the per-result copies.

-- Retention deletes the evidence first seen before its cutoff that no result recorded since
-- the cutoff uses (through its check set), so a result never pays a write for evidence it shares.
CREATE TABLE evidence (
  id         INTEGER PRIMARY KEY,
  sha256     BLOB NOT NULL UNIQUE,
  json       TEXT NOT NULL CHECK (json_valid(json)),
  first_seen TEXT NOT NULL
);

CREATE TABLE remediations (
  id     INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE,
  vi     TEXT NOT NULL,
  en     TEXT NOT NULL
);

-- The typed facts are those of reports::KeyFacts, computed from the checks when first written.
CREATE TABLE check_sets (
  id             INTEGER PRIMARY KEY,
  sha256         BLOB NOT NULL UNIQUE,
  statuses       TEXT NOT NULL,  -- "SPF-01=pass SPF-02=warn ..." in the order written
  has_error      INTEGER NOT NULL CHECK (has_error IN (0, 1)),
  spf_all        TEXT NOT NULL,
  dmarc_policy   TEXT NOT NULL,
  dmarc_rua      INTEGER NOT NULL CHECK (dmarc_rua IN (0, 1)),
  lowest_tls     TEXT NOT NULL,
  tls_enumerated INTEGER NOT NULL CHECK (tls_enumerated IN (0, 1)),
  weak_tls       INTEGER NOT NULL CHECK (weak_tls IN (0, 1)),
  dkim_found     INTEGER NOT NULL CHECK (dkim_found IN (0, 1)),
  mta_sts_mode   TEXT NOT NULL
);

CREATE TABLE check_set_checks (
  check_set_id   INTEGER NOT NULL REFERENCES check_sets (id),
  position       INTEGER NOT NULL,
  check_id       TEXT NOT NULL,
  status         TEXT NOT NULL CHECK (status IN ('na', 'info', 'pass', 'warn', 'fail', 'error')),
  remediation_id INTEGER REFERENCES remediations (id),  -- NULL: no remediation
  evidence_id    INTEGER NOT NULL,  -- evidence.id; no foreign key: retention may prune it
  PRIMARY KEY (check_set_id, position)
) WITHOUT ROWID;

CREATE TABLE check_set_findings (
  check_set_id INTEGER NOT NULL REFERENCES check_sets (id),
  position     INTEGER NOT NULL,  -- of the check
  seq          INTEGER NOT NULL,
  tag          TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('na', 'info', 'pass', 'warn', 'fail', 'error')),
  args_json    TEXT NOT NULL CHECK (json_valid(args_json)),
  PRIMARY KEY (check_set_id, position, seq)
) WITHOUT ROWID;

CREATE TABLE observed_sets (
  id     INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE
);

CREATE TABLE observed_set_records (
  observed_set_id INTEGER NOT NULL REFERENCES observed_sets (id),
  seq             INTEGER NOT NULL,
  name            TEXT NOT NULL COLLATE NOCASE,
  type            TEXT NOT NULL,
  value           TEXT NOT NULL,
  PRIMARY KEY (observed_set_id, seq)
) WITHOUT ROWID;

ALTER TABLE domain_results ADD COLUMN check_set_id INTEGER REFERENCES check_sets (id);
ALTER TABLE domain_results ADD COLUMN observed_set_id INTEGER REFERENCES observed_sets (id);

-- Each domain's newest result: the latest attempt of the newest run that has one.
CREATE TABLE latest_results (
  domain_id        INTEGER PRIMARY KEY REFERENCES domains (id),
  domain_result_id INTEGER NOT NULL REFERENCES domain_results (id),
  run_id           INTEGER NOT NULL,
  attempt          INTEGER NOT NULL
);

-- Computed once when a run completes (runs before 0002 at the upgrade).
CREATE TABLE run_rollups (
  run_id          INTEGER PRIMARY KEY REFERENCES runs (id),
  domains         INTEGER NOT NULL,
  existing        INTEGER NOT NULL,
  scored          INTEGER NOT NULL,
  mean_score      REAL,
  retried         INTEGER NOT NULL,
  aggregates_json TEXT NOT NULL CHECK (json_valid(aggregates_json)),
  computed_at     TEXT NOT NULL
);

-- Every pruning pass of the retention (the only deletion of history), for the record.
CREATE TABLE prune_log (
  id             INTEGER PRIMARY KEY,
  pruned_at      TEXT NOT NULL,
  cutoff         TEXT NOT NULL,  -- evidence no result since this used was removed
  evidence_rows  INTEGER NOT NULL,
  evidence_bytes INTEGER NOT NULL
);

-- The conversion sets check_set_id and observed_set_id of the results of 0001; 0003 puts
-- the trigger back.
DROP TRIGGER domain_results_no_update;

-- A check appears once in a result, as in 0001's UNIQUE (domain_result_id, check_id).
CREATE UNIQUE INDEX check_set_checks_once ON check_set_checks (check_set_id, check_id);
