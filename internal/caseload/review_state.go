package caseload

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"clinic/internal/measures"
)

// The weekly review reads only what it shows (issue 17: judging every open
// referral of a supervisor's teams on each request took 2–4 s on a national
// year). Each summary keeps, judged at write time in the transaction that
// writes it, the flags that do not depend on today's date, the hash a
// review compares and the last attended date (schema step 22). The flags
// that depend on today (waiting, the attendance gap) are decided in SQL
// against today's date, so a case that became flagged overnight without any
// write is listed. SQL then orders the scope's listed cases as compareCases
// does, splitting quiet flags as splitQuiet does; Go decodes and judges only
// the page's cases, for their reasons in words.
//
// not_on_track is kept as judged against the curves the server had when the
// summary was written (the default rule before the curves are first built,
// and during a bulk load); the page's cases are judged again against the
// current curves.

// reviewState is what a summary keeps for the weekly review.
type reviewState struct {
	flags        string // JSON object: code -> severity of the flags that do not depend on today
	hash         string // outcomeHash of the outcome JSON; "" once ended
	lastAttended string // YYYY-MM-DD, or ""
}

// reviewStateOf judges an outcome's flags that hold whatever today's date:
// measures.Flags as of the zero date, when no waiting time or gap has yet
// passed (the attendance flag then stands only for appointments missed in
// a row).
func reviewStateOf(b summaryBasis, o measures.Outcome, outcomeJSON []byte, exp *measures.Curves) (reviewState, error) {
	if !o.Open {
		return reviewState{flags: "{}"}, nil
	}
	sevs := map[string]string{}
	for _, f := range measures.Flags(o, b.descriptor, measures.Intensity(b.intensity), time.Time{}, exp) {
		if f.Code != measures.FlagWaiting {
			sevs[f.Code] = f.Severity
		}
	}
	js, err := json.Marshal(sevs)
	if err != nil {
		return reviewState{}, fmt.Errorf("referral %d: encode review flags: %w", b.id, err)
	}
	return reviewState{flags: string(js), hash: outcomeHash(outcomeJSON), lastAttended: dateOf(o.LastAttended)}, nil
}

// backfillReviewState fills every open summary's review columns from its
// stored outcome, against the stored curves: it runs once, when a database
// that had summaries reaches schema step 22 (migrate in store.go). Ended
// referrals keep the columns' defaults, as a write would leave them.
func backfillReviewState(ctx context.Context, tx *sql.Tx) error {
	exp, _, err := storedCurves(ctx, tx, curveQueueInRequest)
	if err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, `
		SELECT
			m.referral_id,
			r.problem_descriptor,
			r.intensity,
			m.outcome_json
		FROM referral_summary m
		JOIN referrals r ON r.id = m.referral_id
		WHERE m.is_open = 1
		ORDER BY m.referral_id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	update, err := tx.PrepareContext(ctx, `
		UPDATE referral_summary
		SET review_flags_json = ?, outcome_hash = ?, last_attended_on = ?
		WHERE referral_id = ?`)
	if err != nil {
		return err
	}
	defer update.Close()
	for rows.Next() {
		var b summaryBasis
		var js string
		if err := rows.Scan(&b.id, &b.descriptor, &b.intensity, &js); err != nil {
			return err
		}
		var o measures.Outcome
		if err := json.Unmarshal([]byte(js), &o); err != nil {
			return fmt.Errorf("referral %d: decode outcome: %w", b.id, err)
		}
		st, err := reviewStateOf(b, o, []byte(js), exp)
		if err != nil {
			return err
		}
		if _, err := update.ExecContext(ctx, st.flags, st.hash, nullString(st.lastAttended), b.id); err != nil {
			return fmt.Errorf("referral %d: %w", b.id, err)
		}
	}
	return rows.Err()
}

// ReviewEntry is one case of a weekly review's whole list, as SQL judged
// it: enough to count the cases by flag and to link to them.
type ReviewEntry struct {
	ReferralID  int64
	PatientName string
	Flags       []string // codes of the flags in force and not quiet
	Brought     bool     // the therapist asked to bring the case
}

// NeedsDiscussion is ReviewCase.NeedsDiscussion for an entry.
func (e ReviewEntry) NeedsDiscussion() bool { return len(e.Flags) > 0 || e.Brought }

// ReviewList is one page of a weekly review.
type ReviewList struct {
	Entries []ReviewEntry // every listed case of the scope, in the review's order
	Page    int           // the page shown: the one asked for, or the last
	Pages   int
	Cases   []ReviewCase // the page's cases, judged in full, in the review's order
}

// sqlRank is measures.SeverityRank in SQL, of the severity that follows it
// (CASE sqlRank x sqlRankEnd).
const (
	sqlRank    = "CASE "
	sqlRankEnd = " WHEN '" + measures.SeverityHigh + "' THEN 3 WHEN '" + measures.SeverityMedium +
		"' THEN 2 WHEN '" + measures.SeverityLow + "' THEN 1 ELSE 0 END"
)

// reviewListQuery lists a scope's open cases that are flagged today or
// brought, highest first as compareCases orders them. Its parameters: ?1
// the last date an attended contact leaves an attendance gap today
// (measures.AttendanceGapDays), ?2 the last received date at which an
// untreated referral is waiting (measures.WaitingAtRiskDays), ?3 the last
// at which it waits past the standard (measures.WaitingHighAfterDays), ?4
// the teams as JSON, ?5 the therapist or 0. A flag is quiet when the latest
// review saw the same outcome hash and a severity no lower (splitQuiet).
// It reads only the summaries' summary_review_list index (and the few users
// who are the scope's therapists): the patient's name, whether the case is
// brought and what its latest review saw are kept in the summary by
// triggers (schema step 23), so a cold start reads no referral, review or
// patient row for the list. Each case's shown flags are added up in one
// GROUP BY (their codes in the order the flags are listed: the kept ones,
// then the attendance gap, then the wait), not case by case.
const reviewListQuery = `
	WITH cand AS MATERIALIZED (
		SELECT
			m.referral_id AS id,
			m.review_flags_json AS flags,
			m.outcome_hash AS hash,
			CASE WHEN m.first_treatment_on IS NULL AND m.received_on <= ?2 THEN
				CASE WHEN m.received_on <= ?3 THEN '` + measures.SeverityHigh + `' ELSE '` + measures.SeverityMedium + `' END
			END AS waiting,
			m.last_attended_on <= ?1 AND NOT (m.first_treatment_on IS NULL AND m.received_on <= ?2) AS gap,
			m.brought,
			m.seen_hash,
			m.seen_severities_json AS seen,
			m.patient_name,
			m.therapist_id
		FROM referral_summary m
		WHERE m.is_open = 1
			AND m.team_id IN (SELECT value FROM json_each(?4))
			AND (?5 = 0 OR m.therapist_id = ?5)
			AND (m.review_flags_json <> '{}'
				OR (m.first_treatment_on IS NULL AND m.received_on <= ?2)
				OR m.last_attended_on <= ?1
				OR m.brought)
	),
	flag AS MATERIALIZED (
		SELECT c.id, f.key AS code, f.value AS severity, 0 AS part, f.id AS ord, c.hash, c.seen_hash, c.seen
		FROM cand c, json_each(c.flags) f
		UNION ALL
		SELECT id, '` + measures.FlagAttendance + `', '` + measures.SeverityMedium + `', 1, 0, hash, seen_hash, seen
		FROM cand
		WHERE gap AND json_extract(flags, '$.` + measures.FlagAttendance + `') IS NULL
		UNION ALL
		SELECT id, '` + measures.FlagWaiting + `', waiting, 2, 0, hash, seen_hash, seen
		FROM cand
		WHERE waiting IS NOT NULL
	),
	shown AS (
		SELECT
			id,
			code,
			part,
			ord,
			` + sqlRank + `severity` + sqlRankEnd + ` AS rank,
			NOT (seen_hash <> '' AND seen_hash = hash
				AND ` + sqlRank + `json_extract(seen, '$.' || code)` + sqlRankEnd + ` >= ` + sqlRank + `severity` + sqlRankEnd + `) AS shown
		FROM flag
	),
	judged AS MATERIALIZED (
		SELECT
			id,
			COALESCE(group_concat(code, ',' ORDER BY part, ord) FILTER (WHERE shown), '') AS codes,
			SUM(shown) AS n,
			COALESCE(MAX(rank) FILTER (WHERE shown), 0) AS severity
		FROM shown
		GROUP BY id
	)
	SELECT
		c.id,
		c.patient_name,
		c.brought,
		COALESCE(j.codes, '')
	FROM cand c
	LEFT JOIN judged j ON j.id = c.id
	JOIN users u ON u.id = c.therapist_id
	WHERE c.brought OR j.id IS NOT NULL
	ORDER BY
		(COALESCE(j.n, 0) > 0 OR c.brought) DESC,
		MAX(COALESCE(j.severity, 0), CASE WHEN c.brought THEN 2 ELSE 0 END) DESC,
		COALESCE(j.n, 0) DESC,
		u.name,
		c.patient_name,
		c.id`

// reviewListArgs are reviewListQuery's parameters for a scope as of asOf.
func reviewListArgs(scope ReviewScope, asOf time.Time) []any {
	day := func(n int) string { return asOf.AddDate(0, 0, -n).Format(dateLayout) }
	return []any{
		day(measures.AttendanceGapDays),
		day(measures.WaitingAtRiskDays),
		day(measures.WaitingHighAfterDays + 1),
		jsonIDs(nonNil(scope.Teams)),
		scope.TherapistID,
	}
}

// reviewEntries reads a scope's review list as of asOf.
func reviewEntries(ctx context.Context, tx *sql.Tx, scope ReviewScope, asOf time.Time) ([]ReviewEntry, error) {
	rows, err := tx.QueryContext(ctx, reviewListQuery, reviewListArgs(scope, asOf)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ReviewEntry
	for rows.Next() {
		var e ReviewEntry
		var codes string
		if err := rows.Scan(&e.ReferralID, &e.PatientName, &e.Brought, &codes); err != nil {
			return nil, err
		}
		if codes != "" {
			e.Flags = strings.Split(codes, ",")
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// judgeCases reads the referrals ids in full and judges each as the review
// does, returned in the order of ids. A case SQL listed that the current
// curves no longer flag is kept, with the flags it has now.
func judgeCases(ctx context.Context, tx *sql.Tx, ids []int64, asOf time.Time, exp *measures.Curves) ([]ReviewCase, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := findReferrals(ctx, tx, referralFilter{IDs: ids, withOutcome: true, withLastReview: true})
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]ReviewCase, len(rows))
	for _, row := range rows {
		c, _, err := reviewCase(row, asOf, exp)
		if err != nil {
			return nil, err
		}
		byID[row.ID] = c
	}
	out := make([]ReviewCase, 0, len(ids))
	for _, id := range ids {
		if c, ok := byID[id]; ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// WeeklyReviewPage returns page (from 1; past the last, the last) of the
// weekly review of the scope, size cases a page: every listed case in the
// review's order as SQL judged it, and the page's cases judged in full.
func (s *Store) WeeklyReviewPage(ctx context.Context, scope ReviewScope, page, size int) (ReviewList, error) {
	asOf := s.asOf()
	var out ReviewList
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		exp, err := s.curves(ctx, tx)
		if err != nil {
			return err
		}
		if out.Entries, err = reviewEntries(ctx, tx, scope, asOf); err != nil {
			return err
		}
		out.Pages = max(1, (len(out.Entries)+size-1)/size)
		out.Page = min(max(page, 1), out.Pages)
		lo := (out.Page - 1) * size
		var ids []int64
		for _, e := range out.Entries[lo:min(lo+size, len(out.Entries))] {
			ids = append(ids, e.ReferralID)
		}
		out.Cases, err = judgeCases(ctx, tx, ids, asOf, exp)
		return err
	})
	if err != nil {
		return ReviewList{}, fmt.Errorf("weekly review: %w", err)
	}
	return out, nil
}
