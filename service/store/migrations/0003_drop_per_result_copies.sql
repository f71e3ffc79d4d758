-- 0003_drop_per_result_copies: the per-result copies of 0001 (check_results, findings,
-- observed_records) are gone, converted by the program into the shared tables of 0002.
-- History stays append-only: results, check sets, findings, remediations and observed sets are
-- never updated or deleted. Evidence is the one exception: retention (store compact) deletes
-- evidence no result has used for keep_evidence_days and logs it in prune_log; its content never changes.

DROP TABLE findings;
DROP TABLE check_results;
DROP TABLE observed_records;

CREATE TRIGGER domain_results_no_update BEFORE UPDATE ON domain_results
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;

CREATE TRIGGER check_sets_no_update BEFORE UPDATE ON check_sets
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER check_sets_no_delete BEFORE DELETE ON check_sets
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER check_set_checks_no_update BEFORE UPDATE ON check_set_checks
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER check_set_checks_no_delete BEFORE DELETE ON check_set_checks
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER check_set_findings_no_update BEFORE UPDATE ON check_set_findings
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER check_set_findings_no_delete BEFORE DELETE ON check_set_findings
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER remediations_no_update BEFORE UPDATE ON remediations
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER remediations_no_delete BEFORE DELETE ON remediations
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER observed_sets_no_update BEFORE UPDATE ON observed_sets
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER observed_sets_no_delete BEFORE DELETE ON observed_sets
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER observed_set_records_no_update BEFORE UPDATE ON observed_set_records
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER observed_set_records_no_delete BEFORE DELETE ON observed_set_records
BEGIN SELECT RAISE(ABORT, 'results are append-only'); END;
CREATE TRIGGER evidence_content_is_final BEFORE UPDATE ON evidence
BEGIN SELECT RAISE(ABORT, 'evidence content is final'); END;
CREATE TRIGGER run_rollups_no_update BEFORE UPDATE ON run_rollups
BEGIN SELECT RAISE(ABORT, 'a rollup is final'); END;
CREATE TRIGGER run_rollups_no_delete BEFORE DELETE ON run_rollups
BEGIN SELECT RAISE(ABORT, 'a rollup is final'); END;
CREATE TRIGGER prune_log_no_delete BEFORE DELETE ON prune_log
BEGIN SELECT RAISE(ABORT, 'the prune log is append-only'); END;
