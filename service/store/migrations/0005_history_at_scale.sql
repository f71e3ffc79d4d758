-- 0005_history_at_scale: what keeps completing a run flat in the number of runs stored. The
-- retention after each run looked for the evidence of the results recorded since its cutoff by
-- reading every result (and each evidence row's first_seen behind its JSON); now each check set
-- records when a result last used it, and evidence is found by first_seen through an index.

CREATE INDEX evidence_by_first_seen ON evidence (first_seen);

-- When a result last used each check set (the newest recorded_at of the results pointing at
-- it), kept by the trigger below on every insert of a result, however it is written.
CREATE TABLE check_set_uses (
  check_set_id     INTEGER PRIMARY KEY REFERENCES check_sets (id),
  last_recorded_at TEXT NOT NULL
);
CREATE INDEX check_set_uses_by_time ON check_set_uses (last_recorded_at);

INSERT INTO check_set_uses (check_set_id, last_recorded_at)
  SELECT check_set_id, MAX(recorded_at) FROM domain_results
  WHERE check_set_id IS NOT NULL GROUP BY check_set_id;

CREATE TRIGGER domain_results_use_check_set AFTER INSERT ON domain_results
WHEN NEW.check_set_id IS NOT NULL
BEGIN
  INSERT INTO check_set_uses (check_set_id, last_recorded_at)
  VALUES (NEW.check_set_id, NEW.recorded_at)
  ON CONFLICT (check_set_id) DO UPDATE SET last_recorded_at = excluded.last_recorded_at
  WHERE excluded.last_recorded_at > check_set_uses.last_recorded_at;
END;
