package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// RecordDownloads logs that actor downloaded rows of patient-level data
// (a report's CSV), one audit row per referral in it (issue 15), so that
// each record's own history shows the download; detail says which export.
// All the rows are written in one transaction, before the data is sent.
func (s *Store) RecordDownloads(ctx context.Context, actor User, referralIDs []int64, detail string) error {
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		if len(referralIDs) == 0 {
			return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditDownload, entity: "report", detail: detail + ", no referrals"})
		}
		ids, err := json.Marshal(referralIDs)
		if err != nil {
			return err
		}
		// One statement for the lot: a service-wide export has a row for
		// every referral of the period.
		src := auditFrom(ctx)
		_, err = tx.ExecContext(ctx, `
			INSERT INTO audit_log (at, user_id, action, entity, entity_id, patient_id, address, detail, token_id)
			SELECT ?, ?, ?, 'referral', r.id, r.patient_id, ?, ?, ?
			FROM json_each(?) j
			JOIN referrals r ON r.id = j.value
			ORDER BY j.key`,
			stamp(s.Now()), nullInt(actor.ID), AuditDownload, src.address, detail, nullInt(src.tokenID), string(ids))
		return err
	})
	if err != nil {
		return fmt.Errorf("record downloads: %w", err)
	}
	return nil
}
