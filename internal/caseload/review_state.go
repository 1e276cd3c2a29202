package caseload

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
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
// write is listed. SQL then judges the scope's listed cases, splitting quiet
// flags as splitQuiet does, into one row each of the index (flags shown,
// packed in an integer); Go orders them as compareCases does, counts them
// page by page and makes the page's entries; only the page's cases are
// read in full, decoded and judged again, for their reasons in words.
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

// ReviewEntry is one listed case of a weekly review, as SQL judged it:
// enough to count it by flag and to link to it.
type ReviewEntry struct {
	ReferralID  int64
	PatientName string
	Flags       []string // codes of the flags in force and not quiet
	Brought     bool     // the therapist asked to bring the case
}

// NeedsDiscussion is ReviewCase.NeedsDiscussion for an entry.
func (e ReviewEntry) NeedsDiscussion() bool { return len(e.Flags) > 0 || e.Brought }

// ReviewTally counts the listed cases of one page of a weekly review.
type ReviewTally struct {
	Page      int
	ToDiscuss int            // cases that need discussion (ReviewEntry.NeedsDiscussion)
	Quiet     int            // listed cases whose every flag is quiet
	Brought   int            // cases the therapist asked to bring
	Flags     map[string]int // flag code -> cases showing that flag; codes with none left out
}

// ReviewList is one page of a weekly review. Issue 17: the list is judged
// and ordered only as far as counting it needs (reviewRankQuery: one row of
// the index a case, no GROUP BY), and only the page's cases are read in
// full and judged.
type ReviewList struct {
	PageEntries []ReviewEntry // the page's listed cases, in the review's order
	Tallies     []ReviewTally // every page that has listed cases, in order
	Page        int           // the page shown: the one asked for, or the last
	Pages       int
	Cases       []ReviewCase // the page's cases, judged in full, in the review's order
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

// reviewFlagCodes are the codes a listed case's flags can have (the kept
// ones of reviewStateOf, the attendance gap and the wait): the bits of
// reviewRankQuery's mask, one a code.
var reviewFlagCodes = []string{
	measures.FlagRisk, measures.FlagDeterioration, measures.FlagNotOnTrack, measures.FlagNoImprovement,
	measures.FlagAttendance, measures.FlagMissingMeasure, measures.FlagWaiting, measures.FlagLongTreatment,
}

// reviewRankQuery is reviewListQuery's list unordered, each case with what
// orders and counts it: its id, its shown flags packed three bits a code
// (bits 3i to 3i+2 for reviewFlagCodes[i]: 0 when the flag is not shown,
// else its severity's rank + 1, and bit reviewKeptAttendanceBit set when
// the attendance flag is a kept one rather than today's gap), whether it
// is brought, its therapist and its patient's name. reviewRanks orders them as reviewListQuery does.
// Its parameters are reviewListQuery's.
//
// Issue 17: reviewListQuery takes 75–90 ms warm for the national year's
// team of 9,007 listed cases, most of it expanding each case's flags with
// json_each and adding them up in a GROUP BY, then sorting and sending
// every entry. Here each case is one row of the index, with no GROUP BY and
// no temporary table: each flag code is one expression, the kept flag's
// rank (read with json_extract only when instr finds its key in the kept
// JSON: most cases have one to three of the eight), or today's attendance
// gap or wait, dropped when quiet (the latest review saw the same outcome
// hash and a severity no lower, as splitQuiet). A kept code outside
// reviewFlagCodes (none is written: reviewStateOf keeps measures.Flags'
// codes) would be listed but not counted.
var reviewRankQuery = func() string {
	const (
		flags   = "m.review_flags_json"
		waiting = "(m.first_treatment_on IS NULL AND m.received_on <= ?2)"
		quiet   = "(m.seen_hash <> '' AND m.seen_hash = m.outcome_hash)"
	)
	var packed []string
	for i, code := range reviewFlagCodes {
		k := "CASE WHEN instr(" + flags + ", '\"" + code + "\":') > 0 THEN " + sqlRank + "json_extract(" + flags + ", '$." + code + "')" + sqlRankEnd + " END"
		switch code {
		case measures.FlagAttendance:
			k = "COALESCE(" + k + ", CASE WHEN m.last_attended_on <= ?1 AND NOT " + waiting + " THEN 2 END)"
		case measures.FlagWaiting:
			k = "CASE WHEN " + waiting + " THEN CASE WHEN m.received_on <= ?3 THEN 3 ELSE 2 END END"
		}
		shown := "CASE WHEN NOT " + quiet + " THEN " + k + " WHEN " +
			sqlRank + "json_extract(m.seen_severities_json, '$." + code + "')" + sqlRankEnd + " < " + k + " THEN " + k + " END"
		packed = append(packed, "(COALESCE(("+shown+") + 1, 0) << "+strconv.Itoa(3*i)+")")
	}
	packed = append(packed, "((instr("+flags+", '\""+measures.FlagAttendance+"\":') > 0) << "+strconv.Itoa(reviewKeptAttendanceBit)+")")
	return `
	SELECT
		m.referral_id,
		` + strings.Join(packed, "\n\t\t+ ") + `,
		m.brought,
		m.therapist_id,
		m.patient_name
	FROM referral_summary m
	WHERE m.is_open = 1
		AND m.team_id IN (SELECT value FROM json_each(?4))
		AND (?5 = 0 OR m.therapist_id = ?5)
		AND (` + flags + ` <> '{}'
			OR ` + waiting + `
			OR m.last_attended_on <= ?1
			OR m.brought)`
}()

// reviewListOfQuery is reviewListQuery for the cases among ?6, a JSON array
// of referral ids. The unary + keeps the plan on summary_review_list (the
// team's range, which the page's reviewRankQuery has just read) rather than
// a lookup of each summary row by id, a random read each when cold.
var reviewListOfQuery = strings.Replace(reviewListQuery, "WHERE m.is_open = 1",
	"WHERE m.is_open = 1\n\t\t\tAND +m.referral_id IN (SELECT value FROM json_each(?6))", 1)

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
	return scanReviewEntries(rows)
}

// scanReviewEntries reads and closes the rows of reviewListQuery.
func scanReviewEntries(rows *sql.Rows) ([]ReviewEntry, error) {
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
	return inIDOrder(ids, byID), nil
}

// reviewKeptAttendanceBit is the bit of reviewRankQuery's packed flags set
// when the case's attendance flag is kept (missed appointments in a row)
// rather than today's gap: reviewListQuery lists a kept flag among the
// kept ones, the gap after them.
const reviewKeptAttendanceBit = 3 * 8

// reviewRank is one listed case as reviewRankQuery judges it.
type reviewRank struct {
	id           int64
	key          int // the order's leading keys: to discuss, severity, flags shown (reviewRankKey)
	therapist    int // the therapist's place in the order of their names
	mask         int // bit i: the case shows reviewFlagCodes[i]
	keptAttended bool
	brought      bool
	patient      string
}

// entry is the case's ReviewEntry, its flags' codes in reviewListQuery's
// order: the kept ones as their JSON lists them (json.Marshal writes a
// map's keys sorted: reviewStateOf), then today's attendance gap, then the
// wait.
func (r *reviewRank) entry() ReviewEntry {
	e := ReviewEntry{ReferralID: r.id, PatientName: r.patient, Brought: r.brought}
	shows := func(code string) bool { return r.mask>>slices.Index(reviewFlagCodes, code)&1 == 1 }
	for _, code := range reviewKeptCodes {
		if shows(code) && (code != measures.FlagAttendance || r.keptAttended) {
			e.Flags = append(e.Flags, code)
		}
	}
	if shows(measures.FlagAttendance) && !r.keptAttended {
		e.Flags = append(e.Flags, measures.FlagAttendance)
	}
	if shows(measures.FlagWaiting) {
		e.Flags = append(e.Flags, measures.FlagWaiting)
	}
	return e
}

// reviewKeptCodes are the codes a kept flag can have, sorted as
// json.Marshal sorts a map's keys.
var reviewKeptCodes = func() []string {
	out := slices.DeleteFunc(slices.Clone(reviewFlagCodes), func(c string) bool { return c == measures.FlagWaiting })
	slices.Sort(out)
	return out
}()

// reviewRankKey packs the leading keys of the review's order, highest
// first: whether the case is to discuss, its severity (the highest rank of
// its shown flags; a case brought counts as medium), how many flags it
// shows.
func reviewRankKey(n, severity int, brought bool) int {
	d := 0
	if n > 0 || brought {
		d = 1
	}
	if brought {
		severity = max(severity, 2)
	}
	return d<<8 | severity<<4 | n
}

func (r reviewRank) discuss() bool { return r.key>>8 == 1 }

// compareReviewRanks orders listed cases as reviewListQuery does (and
// compareCases): those to discuss first, then by severity, flags shown,
// therapist's name, patient's name and id, byte by byte as SQLite's BINARY
// collation compares text.
func compareReviewRanks(a, b *reviewRank) int {
	if a.key != b.key {
		return cmp.Compare(b.key, a.key)
	}
	if a.therapist != b.therapist {
		return cmp.Compare(a.therapist, b.therapist)
	}
	if c := strings.Compare(a.patient, b.patient); c != 0 {
		return c
	}
	return cmp.Compare(a.id, b.id)
}

// reviewRanks reads a scope's listed cases, in the review's order.
func reviewRanks(ctx context.Context, tx *sql.Tx, scope ReviewScope, asOf time.Time) ([]*reviewRank, error) {
	rows, err := tx.QueryContext(ctx, reviewRankQuery, reviewListArgs(scope, asOf)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []reviewRank
	var therapists []int64
	for rows.Next() {
		var r reviewRank
		var packed, therapist int64
		if err := rows.Scan(&r.id, &packed, &r.brought, &therapist, &r.patient); err != nil {
			return nil, err
		}
		n, severity := 0, 0
		for i := range reviewFlagCodes {
			if v := int(packed>>(3*i)) & 7; v > 0 {
				r.mask |= 1 << i
				n++
				severity = max(severity, v-1)
			}
		}
		r.key = reviewRankKey(n, severity, r.brought)
		r.keptAttended = packed>>reviewKeptAttendanceBit&1 == 1
		all = append(all, r)
		therapists = append(therapists, therapist)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	names, err := userNames(ctx, tx, therapists)
	if err != nil {
		return nil, err
	}
	// The therapists' places in the order of their names: two of the same
	// name share one, so that their cases sort by patient and id, as in SQL.
	ids := slices.Collect(maps.Keys(names))
	slices.SortFunc(ids, func(a, b int64) int { return strings.Compare(names[a], names[b]) })
	place := make(map[int64]int, len(ids))
	for i, id := range ids {
		place[id] = i
		if i > 0 && names[id] == names[ids[i-1]] {
			place[id] = place[ids[i-1]]
		}
	}
	out := make([]*reviewRank, 0, len(all))
	for i := range all {
		// reviewListQuery joins the therapist: a case without one is not listed.
		if p, ok := place[therapists[i]]; ok {
			all[i].therapist = p
			out = append(out, &all[i])
		}
	}
	slices.SortFunc(out, compareReviewRanks)
	return out, nil
}

// userNames reads the names of the users ids (repeated ids are read once).
func userNames(ctx context.Context, tx *sql.Tx, ids []int64) (map[int64]string, error) {
	distinct := slices.Clone(ids)
	slices.Sort(distinct)
	rows, err := tx.QueryContext(ctx, `SELECT id, name FROM users WHERE id IN (SELECT value FROM json_each(?))`, jsonIDs(slices.Compact(distinct)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// tallyReviewRanks counts ranks, the whole list in order, size a page.
func tallyReviewRanks(ranks []*reviewRank, size int) []ReviewTally {
	var out []ReviewTally
	for i, r := range ranks {
		page := i/size + 1
		if len(out) == 0 || out[len(out)-1].Page != page {
			out = append(out, ReviewTally{Page: page, Flags: map[string]int{}})
		}
		t := &out[len(out)-1]
		if !r.discuss() {
			t.Quiet++
			continue
		}
		t.ToDiscuss++
		if r.brought {
			t.Brought++
		}
		for b, code := range reviewFlagCodes {
			if r.mask>>b&1 == 1 {
				t.Flags[code]++
			}
		}
	}
	return out
}

// reviewEntriesOf reads the entries of the scope's listed cases among ids,
// in the order of ids (those not listed left out): reviewListQuery's
// judgement of those cases alone.
func reviewEntriesOf(ctx context.Context, tx *sql.Tx, scope ReviewScope, asOf time.Time, ids []int64) ([]ReviewEntry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, reviewListOfQuery, append(reviewListArgs(scope, asOf), jsonIDs(ids))...)
	if err != nil {
		return nil, err
	}
	entries, err := scanReviewEntries(rows)
	if err != nil {
		return nil, err
	}
	byID := make(map[int64]ReviewEntry, len(entries))
	for _, e := range entries {
		byID[e.ReferralID] = e
	}
	return inIDOrder(ids, byID), nil
}

// inIDOrder lists the values of byID in the order of ids, leaving out the
// ids it has none for.
func inIDOrder[T any](ids []int64, byID map[int64]T) []T {
	out := make([]T, 0, len(ids))
	for _, id := range ids {
		if v, ok := byID[id]; ok {
			out = append(out, v)
		}
	}
	return out
}

// WeeklyReviewPage returns page (from 1; past the last, the last) of the
// weekly review of the scope, size cases a page: the listed cases counted
// page by page, and the page's cases as entries and judged in full.
func (s *Store) WeeklyReviewPage(ctx context.Context, scope ReviewScope, page, size int) (ReviewList, error) {
	asOf := s.asOf()
	var out ReviewList
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		exp, err := s.curves(ctx, tx)
		if err != nil {
			return err
		}
		ranks, err := reviewRanks(ctx, tx, scope, asOf)
		if err != nil {
			return err
		}
		out.Tallies = tallyReviewRanks(ranks, size)
		out.Pages = max(1, (len(ranks)+size-1)/size)
		out.Page = min(max(page, 1), out.Pages)
		lo := (out.Page - 1) * size
		var ids []int64
		for _, r := range ranks[lo:min(lo+size, len(ranks))] {
			ids = append(ids, r.id)
			out.PageEntries = append(out.PageEntries, r.entry())
		}
		out.Cases, err = s.judgeCasesBeside(ctx, tx, ids, asOf, exp)
		return err
	})
	if err != nil {
		return ReviewList{}, fmt.Errorf("weekly review: %w", err)
	}
	return out, nil
}

// reviewJudgeReaders is how many readers judge a page's cases at once.
const reviewJudgeReaders = 3

// judgeCasesBeside is judgeCases, the first part of ids in tx and the
// others each on a reader of its own at the same time. On a cold start
// the page's 50 cases are a few hundred random reads of the file
// (referral, patient, summary and latest review of each), which the disk
// serves faster several at a time (issue 17; ReportSections reads two
// halves beside each other the same way). The other readers see the
// database as of when they start, a moment after tx.
func (s *Store) judgeCasesBeside(ctx context.Context, tx *sql.Tx, ids []int64, asOf time.Time, exp *measures.Curves) ([]ReviewCase, error) {
	if len(ids) < 2*reviewJudgeReaders {
		return judgeCases(ctx, tx, ids, asOf, exp)
	}
	parts := make([][]ReviewCase, reviewJudgeReaders)
	errs := make([]error, reviewJudgeReaders)
	size := (len(ids) + reviewJudgeReaders - 1) / reviewJudgeReaders
	var wg sync.WaitGroup
	for i := 1; i < reviewJudgeReaders; i++ {
		part := ids[min(i*size, len(ids)):min((i+1)*size, len(ids))]
		wg.Go(func() {
			errs[i] = s.withRead(ctx, func(tx *sql.Tx) error {
				var err error
				parts[i], err = judgeCases(ctx, tx, part, asOf, exp)
				return err
			})
		})
	}
	parts[0], errs[0] = judgeCases(ctx, tx, ids[:size], asOf, exp)
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

// ReviewListed returns the entry of referral id on the scope's weekly
// review, and whether it is listed there (the confirmation after a review
// names the patient only then).
func (s *Store) ReviewListed(ctx context.Context, scope ReviewScope, id int64) (ReviewEntry, bool, error) {
	var entries []ReviewEntry
	err := s.withRead(ctx, func(tx *sql.Tx) error {
		var err error
		entries, err = reviewEntriesOf(ctx, tx, scope, s.asOf(), []int64{id})
		return err
	})
	if err != nil {
		return ReviewEntry{}, false, fmt.Errorf("weekly review entry: %w", err)
	}
	if len(entries) == 0 {
		return ReviewEntry{}, false, nil
	}
	return entries[0], true, nil
}
