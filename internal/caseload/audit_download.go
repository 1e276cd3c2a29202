package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// downloadBatch is how many referrals' download rows one write transaction
// logs. A whole service's year is 600,000 referrals: in one transaction its
// savepoint journal (kept in memory on the writer, see watch in changes.go)
// held the original of every audit index page it touched, about 110 MB, and
// the committer was held for the whole insert.
var downloadBatch = 10000

// RecordDownloads logs that actor downloaded rows of patient-level data
// (a report's CSV), one audit row per referral in it (issue 15), so that
// each record's own history shows the download; detail says which export.
// The rows are written downloadBatch referrals at a time, in order, and all
// are durable before RecordDownloads returns, so before the data is sent;
// if one batch fails, the error is returned and nothing must be sent (the
// rows already logged then record an attempt, which errs on the safe side).
func (s *Store) RecordDownloads(ctx context.Context, actor User, referralIDs []int64, detail string) error {
	if len(referralIDs) == 0 {
		err := s.withLogTx(ctx, func(tx *sql.Tx) error {
			return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditDownload, entity: "report", detail: detail + ", no referrals"})
		})
		if err != nil {
			return fmt.Errorf("record downloads: %w", err)
		}
		return nil
	}
	at := stamp(s.Now())
	for start := 0; start < len(referralIDs); start += downloadBatch {
		batch := referralIDs[start:min(start+downloadBatch, len(referralIDs))]
		if err := s.withLogTx(ctx, func(tx *sql.Tx) error { return recordDownloadBatch(ctx, tx, at, actor, batch, detail) }); err != nil {
			return fmt.Errorf("record downloads: %w", err)
		}
	}
	return nil
}

// recordDownloadBatch logs the download of each of referralIDs, in their
// order, in one statement, at the time at.
func recordDownloadBatch(ctx context.Context, tx *sql.Tx, at string, actor User, referralIDs []int64, detail string) error {
	ids, err := json.Marshal(referralIDs)
	if err != nil {
		return err
	}
	src := auditFrom(ctx)
	_, err = tx.ExecContext(ctx, `
		INSERT INTO audit_log (at, user_id, action, entity, entity_id, patient_id, address, detail, token_id)
		SELECT ?, ?, ?, 'referral', r.id, r.patient_id, ?, ?, ?
		FROM json_each(?) j
		JOIN referrals r ON r.id = j.value
		ORDER BY j.key`,
		at, nullInt(actor.ID), AuditDownload, src.address, detail, nullInt(src.tokenID), string(ids))
	return err
}
