package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"clinic/internal/dataset"
)

// ReferralDataset is what the data set records of a referral beyond
// clinic's own fields (IDS101): where it came from, whether it is on a
// long-term-condition pathway, and how it ended as an EndCode.
type ReferralDataset struct {
	SourceOfReferral string // dataset.SourceOfReferral, empty when not recorded
	LTCPathway       bool   // IAPTLTCServiceInd: an integrated long-term-condition pathway
	EndCode          string // dataset.EndCode, empty while open or not recorded
	LocalID          string // ServiceRequestId in the system it was imported from
}

// checkReferralDataset normalises a new referral's data set fields and adds
// what is wrong to v.
func checkReferralDataset(in NewReferral, v validation) ReferralDataset {
	d := ReferralDataset{
		SourceOfReferral: strings.ToUpper(strings.TrimSpace(in.SourceOfReferral)),
		LTCPathway:       in.LTCPathway,
		LocalID:          strings.TrimSpace(in.LocalID),
	}
	if d.SourceOfReferral != "" && !dataset.SourceOfReferral.Valid(d.SourceOfReferral) {
		v.add("source_of_referral", "Choose where the referral came from, from the list")
	}
	return d
}

// CheckEndCode says what is wrong with an EndCode given when a referral
// ends ("" when nothing: an empty code is allowed, and reported at export).
func CheckEndCode(code string) string {
	if code = strings.TrimSpace(code); code != "" && !dataset.EndCode.Valid(code) {
		return "Choose the ending from the list"
	}
	return ""
}

// writeReferralDataset keeps a referral's data set fields.
func writeReferralDataset(ctx context.Context, tx *sql.Tx, referralID int64, d ReferralDataset) error {
	_, err := tx.ExecContext(ctx, `
		INSERT INTO referral_dataset (referral_id, source_of_referral, ltc_pathway, end_code, local_id)
		VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (referral_id) DO UPDATE SET
			source_of_referral = excluded.source_of_referral,
			ltc_pathway = excluded.ltc_pathway,
			end_code = excluded.end_code,
			local_id = COALESCE(excluded.local_id, local_id)`,
		referralID, d.SourceOfReferral, boolInt(d.LTCPathway), d.EndCode, nullString(d.LocalID))
	if err != nil {
		return err
	}
	// The EndCode is a report fact (issue 13).
	return refreshReportFacts(ctx, tx, referralID-1, referralID)
}

// rowQueryer is a transaction or a pool, for a single-row read.
type rowQueryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// readReferralDataset reads a referral's data set fields; the zero value
// when none were recorded.
func readReferralDataset(ctx context.Context, q rowQueryer, referralID int64) (ReferralDataset, error) {
	var d ReferralDataset
	var local sql.NullString
	err := q.QueryRowContext(ctx, `
		SELECT source_of_referral, ltc_pathway, end_code, local_id
		FROM referral_dataset WHERE referral_id = ?`, referralID).Scan(&d.SourceOfReferral, &d.LTCPathway, &d.EndCode, &local)
	if errors.Is(err, sql.ErrNoRows) {
		return ReferralDataset{}, nil
	}
	d.LocalID = local.String
	return d, err
}

// ReferralDataset returns a referral's data set fields (the zero value when
// none were recorded).
func (s *Store) ReferralDataset(ctx context.Context, referralID int64) (ReferralDataset, error) {
	d, err := readReferralDataset(ctx, s.read, referralID)
	if err != nil {
		return ReferralDataset{}, fmt.Errorf("referral %d data set: %w", referralID, err)
	}
	return d, nil
}

// writeEndCode keeps a referral's EndCode (empty: none), its other data set
// fields as they were.
func writeEndCode(ctx context.Context, tx *sql.Tx, referralID int64, code string) error {
	d, err := readReferralDataset(ctx, tx, referralID)
	if err != nil {
		return err
	}
	if d.EndCode == code {
		return nil
	}
	d.EndCode = code
	return writeReferralDataset(ctx, tx, referralID, d)
}

// SetEndCode records how an ended referral ended, as a data set EndCode
// (EndReferral keeps the one given with the ending; this sets or corrects
// it later).
func (s *Store) SetEndCode(ctx context.Context, actor User, referralID int64, code string) error {
	code = strings.TrimSpace(code)
	if msg := CheckEndCode(code); msg != "" {
		return fmt.Errorf("set end code: %w", &ValidationError{Fields: map[string]string{"end_code": msg}})
	}
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		var patientID int64
		var ended sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT patient_id, ended_on FROM referrals WHERE id = ?`, referralID).Scan(&patientID, &ended)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		if !ended.Valid && code != "" {
			return &ValidationError{Fields: map[string]string{"end_code": "The referral has not ended"}}
		}
		if err := writeEndCode(ctx, tx, referralID, code); err != nil {
			return err
		}
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditEndReferral, entity: "referral", entityID: referralID,
			patientID: patientID, detail: "end code " + code})
	})
	if err != nil {
		return fmt.Errorf("set end code: %w", err)
	}
	return nil
}
