package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The audit log (table audit_log, append-only: triggers refuse UPDATE and
// DELETE) records every view of a patient's record and every change: who,
// when (the store's clock), what, which record, and from which address.
//
// Changes are logged inside the transaction of the change, so that a change
// is never kept without its audit row nor the other way round. Views are
// logged by the HTTP layer through RecordView before the record is shown.
//
// The address, and the acting user for methods that take no actor (user
// administration, shared with the command line), come from the context:
// the HTTP layer puts them there once per request with WithAudit.

type auditKey struct{}

type auditSource struct {
	userID  int64
	address string
	tokenID int64 // the API token the request carried, if any
}

// WithAudit returns a context that makes the store's audit rows name
// userID (for methods that take no actor; 0 for nobody yet) and address (the
// client's network address) as their source. Without it, rows have no
// address: a change made from the command line.
func WithAudit(ctx context.Context, userID int64, address string) context.Context {
	return context.WithValue(ctx, auditKey{}, auditSource{userID: userID, address: address, tokenID: auditFrom(ctx).tokenID})
}

// WithAuditToken returns a context whose audit rows also name the API token
// the request was made with (issue 15: an API row says which token acted).
func WithAuditToken(ctx context.Context, tokenID int64) context.Context {
	src := auditFrom(ctx)
	src.tokenID = tokenID
	return context.WithValue(ctx, auditKey{}, src)
}

func auditFrom(ctx context.Context) auditSource {
	src, _ := ctx.Value(auditKey{}).(auditSource)
	return src
}

// Audit actions. A row's entity and entity id name the record acted on; rows
// about a patient's record also carry the patient's id.
const (
	AuditView                = "view"
	AuditDownload            = "download"
	AuditCreatePatient       = "create_patient"
	AuditCreateReferral      = "create_referral"
	AuditRecordContact       = "record_contact"
	AuditCorrectScore        = "correct_score"
	AuditEndReferral         = "end_referral"
	AuditBringSupervision    = "bring_to_supervision"
	AuditRecordReview        = "record_review"
	AuditInvite              = "create_invitation"
	AuditRevokeAccess        = "revoke_patient_access"
	AuditAcceptInvitation    = "accept_invitation"
	AuditQuestionnaire       = "submit_questionnaire"
	AuditKeepQuestionnaire   = "keep_questionnaire"
	AuditCreateUser          = "create_user"
	AuditDisableUser         = "disable_user"
	AuditEnableUser          = "enable_user"
	AuditCreateToken         = "create_token"
	AuditRevokeToken         = "revoke_token"
	AuditSignIn              = "sign_in"
	AuditSignInFailed        = "sign_in_failed"
	AuditSignOut             = "sign_out"
	AuditBreakGlass          = "break_glass"
	AuditSetDemographics     = "set_demographics"
	AuditSetQualification    = "set_qualification"
	AuditImportIDS           = "import_ids"
	AuditSearchPatients      = "search_patients"
	AuditMoveReferral        = "move_referral"
	AuditGrantCover          = "grant_cover"
	AuditMapCareProfessional = "map_care_professional"

	// Clinical safety (issue 11).
	AuditOpenRiskAlert        = "open_risk_alert"
	AuditAcknowledgeRiskAlert = "acknowledge_risk_alert"
	AuditEndWithRisk          = "end_with_risk_acknowledged"
	AuditReopenReferral       = "reopen_referral"
	AuditSetUrgentContact     = "set_urgent_contact"
)

// AuditActions lists the actions, for the search form.
var AuditActions = []string{
	AuditView, AuditDownload, AuditCreatePatient, AuditCreateReferral, AuditRecordContact,
	AuditCorrectScore, AuditEndReferral, AuditBringSupervision, AuditRecordReview, AuditInvite,
	AuditRevokeAccess, AuditAcceptInvitation, AuditQuestionnaire, AuditKeepQuestionnaire,
	AuditCreateUser, AuditDisableUser, AuditEnableUser, AuditCreateToken, AuditRevokeToken, AuditSignIn,
	AuditSignInFailed, AuditSignOut, AuditBreakGlass, AuditSearchPatients, AuditMoveReferral, AuditGrantCover,
	AuditPasswordResetCode, AuditResetPassword, AuditEditUser, // password_reset.go
	AuditOpenRiskAlert, AuditAcknowledgeRiskAlert, AuditEndWithRisk, AuditReopenReferral, AuditSetUrgentContact,
	AuditSetDemographics, AuditSetQualification, AuditImportIDS, AuditMapCareProfessional,
}

// auditRow is one row to append.
type auditRow struct {
	userID    int64 // 0: the context's user, if any
	action    string
	entity    string // "patient", "referral", "user", "report"...
	entityID  int64
	patientID int64 // 0: none, or (for entity "referral") the referral's patient
	detail    string
}

// audit appends a row to the audit log inside tx. For a referral the
// patient is looked up, so that the row is found by patient too.
func (s *Store) audit(ctx context.Context, tx *sql.Tx, a auditRow) error {
	src := auditFrom(ctx)
	if a.userID == 0 {
		a.userID = src.userID
	}
	patient := sql.NullInt64{Int64: a.patientID, Valid: a.patientID != 0}
	if a.entity == "referral" && a.patientID == 0 {
		err := tx.QueryRowContext(ctx, `SELECT patient_id FROM referrals WHERE id = ?`, a.entityID).Scan(&patient)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("audit: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `
		INSERT INTO audit_log (at, user_id, action, entity, entity_id, patient_id, address, detail, token_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		stamp(s.Now()), nullInt(a.userID), a.action, a.entity, nullInt(a.entityID), patient, src.address, a.detail, nullInt(src.tokenID))
	if err != nil {
		return fmt.Errorf("audit: %w", err)
	}
	return nil
}

// RecordView logs that actor viewed a patient's record: entity "referral"
// or "patient" and its id. detail says what was seen ("referral page",
// "API outcome") and, under break glass, why. The caller shows nothing when
// this fails.
func (s *Store) RecordView(ctx context.Context, actor User, entity string, id int64, detail string) error {
	err := s.withLogTx(ctx, func(tx *sql.Tx) error {
		a := auditRow{userID: actor.ID, action: AuditView, entity: entity, entityID: id, detail: detail}
		if entity == "patient" {
			a.patientID = id
		}
		return s.audit(ctx, tx, a)
	})
	if err != nil {
		return fmt.Errorf("record view of %s %d: %w", entity, id, err)
	}
	return nil
}

// RecordReferralView is RecordView of a referral the caller has just read:
// its patient is known, so the audit row is written without reading the
// referral again on the single writer (issue 17).
func (s *Store) RecordReferralView(ctx context.Context, actor User, r Referral, detail string) error {
	err := s.withLogTx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditView, entity: "referral", entityID: r.ID, patientID: r.PatientID, detail: detail})
	})
	if err != nil {
		return fmt.Errorf("record view of referral %d: %w", r.ID, err)
	}
	return nil
}

// RecordDownload logs that actor downloaded patient-level data that is not
// one record (a report with a row per referral); detail says which.
func (s *Store) RecordDownload(ctx context.Context, actor User, what, detail string) error {
	err := s.withLogTx(ctx, func(tx *sql.Tx) error {
		return s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditDownload, entity: what, detail: detail})
	})
	if err != nil {
		return fmt.Errorf("record download of %s: %w", what, err)
	}
	return nil
}

// AuditEntry is one row of the audit log, with the acting user's name.
type AuditEntry struct {
	ID        int64
	At        time.Time
	UserID    int64 // 0 when nobody was signed in
	UserName  string
	UserRole  Role
	Action    string
	Entity    string
	EntityID  int64
	PatientID int64
	Address   string
	Detail    string
	TokenID   int64 // the API token used, if any
}

// AuditQuery selects audit rows; zero fields do not filter. From and To are
// calendar dates (YYYY-MM-DD, UTC), both included.
type AuditQuery struct {
	UserID     int64
	PatientID  int64
	ReferralID int64
	Action     string
	From, To   string
	Page       int // from 1
	PerPage    int // default 50, at most 500
}

// AuditPage is one page of search results, newest first.
type AuditPage struct {
	Entries []AuditEntry
	Page    int
	More    bool // a further page exists
}

const auditSelect = `
	SELECT
		a.id,
		a.at,
		COALESCE(a.user_id, 0),
		COALESCE(u.name, ''),
		COALESCE(u.role, ''),
		a.action,
		a.entity,
		COALESCE(a.entity_id, 0),
		COALESCE(a.patient_id, 0),
		a.address,
		a.detail,
		COALESCE(a.token_id, 0)
	FROM audit_log a
	LEFT JOIN users u ON u.id = a.user_id`

func scanAuditEntries(rows *sql.Rows) ([]AuditEntry, error) {
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at, role string
		if err := rows.Scan(&e.ID, &at, &e.UserID, &e.UserName, &role, &e.Action, &e.Entity, &e.EntityID, &e.PatientID, &e.Address, &e.Detail, &e.TokenID); err != nil {
			return nil, err
		}
		e.UserRole = Role(role)
		var err error
		if e.At, err = parseStamp(sql.NullString{String: at, Valid: true}); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// SearchAudit returns a page of the audit log matching q, newest first. Bad
// dates are a *ValidationError.
func (s *Store) SearchAudit(ctx context.Context, q AuditQuery) (AuditPage, error) {
	v := validation{}
	if q.From != "" && !validDate(q.From) {
		v.add("from", "Enter a real date as YYYY-MM-DD")
	}
	if q.To != "" && !validDate(q.To) {
		v.add("to", "Enter a real date as YYYY-MM-DD")
	}
	if v["from"] == "" && v["to"] == "" && q.From != "" && q.To != "" && q.To < q.From {
		v.add("to", "The end date must be on or after the start date")
	}
	if err := v.err(); err != nil {
		return AuditPage{}, fmt.Errorf("search audit: %w", err)
	}
	if q.Page < 1 {
		q.Page = 1
	}
	if q.PerPage <= 0 {
		q.PerPage = 50
	}
	q.PerPage = min(q.PerPage, 500)
	query, args := auditSearchQuery(q)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return AuditPage{}, fmt.Errorf("search audit: %w", err)
	}
	defer rows.Close()
	entries, err := scanAuditEntries(rows)
	if err != nil {
		return AuditPage{}, fmt.Errorf("search audit: %w", err)
	}
	p := AuditPage{Entries: entries, Page: q.Page}
	if len(p.Entries) > q.PerPage {
		p.Entries, p.More = p.Entries[:q.PerPage], true
	}
	return p, nil
}

// auditSearchQuery is SearchAudit's query for a checked q. A search by
// action reads the action's own index (audit_log_action, schema step 20),
// so that a rare action is found without walking the whole log by time.
func auditSearchQuery(q AuditQuery) (string, []any) {
	var where []string
	var args []any
	if q.UserID != 0 {
		where, args = append(where, "a.user_id = ?"), append(args, q.UserID)
	}
	if q.PatientID != 0 {
		where, args = append(where, "a.patient_id = ?"), append(args, q.PatientID)
	}
	if q.ReferralID != 0 {
		where, args = append(where, "a.entity = 'referral' AND a.entity_id = ?"), append(args, q.ReferralID)
	}
	if q.Action != "" {
		where, args = append(where, "a.action = ?"), append(args, q.Action)
	}
	if q.From != "" {
		where, args = append(where, "a.at >= ?"), append(args, q.From)
	}
	if q.To != "" {
		// Stamps on the last day sort after the bare date; "~" sorts after
		// every character a stamp has.
		where, args = append(where, "a.at <= ?"), append(args, q.To+"~")
	}
	query := auditSelect
	if len(where) > 0 {
		query += "\n\tWHERE " + strings.Join(where, " AND ")
	}
	// One row more than a page says whether there is a next page.
	query += "\n\tORDER BY a.at DESC, a.id DESC\n\tLIMIT ? OFFSET ?"
	args = append(args, q.PerPage+1, (q.Page-1)*q.PerPage)
	return query, args
}

// RecordViews returns the latest views of a patient's record (any of their
// referrals), newest first: "who has viewed this record".
func (s *Store) RecordViews(ctx context.Context, patientID int64, limit int) ([]AuditEntry, error) {
	rows, err := s.read.QueryContext(ctx, auditSelect+`
		WHERE a.patient_id = ? AND a.action = 'view'
		ORDER BY a.at DESC, a.id DESC
		LIMIT ?`, patientID, limit)
	if err != nil {
		return nil, fmt.Errorf("record views of patient %d: %w", patientID, err)
	}
	defer rows.Close()
	entries, err := scanAuditEntries(rows)
	if err != nil {
		return nil, fmt.Errorf("record views of patient %d: %w", patientID, err)
	}
	return entries, nil
}
