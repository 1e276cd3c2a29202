package caseload

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"clinic/internal/dataset"
	"clinic/internal/measures"
)

// Migrating in with the data set (issue 12): the IDS tables of another
// system (as an IDB's tables export with mdb-export, or clinic's own
// export) are read into clinic in one transaction, all or nothing. Records
// keep their local ids (LocalPatientId, ServiceRequestId, CareContactId,
// CareProfLocalId), so they can be traced back and so that importing the
// same files again adds nothing. A referral whose care professional is not
// a known member of staff is received unallocated onto a team's waiting
// list (issue 14), the one list every unallocated referral waits on, held
// meanwhile by the admin who imported it; a supervisor allocates it, or an
// admin maps its care professional to a therapist (MapCareProfessional).
//
// What the data set does not carry is filled plainly: a patient's name is
// "Imported patient" and their local id; a referral's intensity is taken
// from its latest therapy type (high after a high intensity therapy), and
// each contact's from its own; an
// ending's reason is "other" (its EndCode is kept). Scores come as totals:
// an imported PHQ-9 or GAD-7 has no item answers (items_json is NULL).

// IDSImport is what an import did, or would do (a dry run).
type IDSImport struct {
	Patients, Referrals, Contacts, Scores int // added
	AlreadyThere                          int // records skipped because their local id was imported before
	Unallocated                           int // referrals without a known therapist, put on the waiting list
	// Refused rows break a rule (a code outside its list, a missing id, a
	// date in the future): with any, nothing is kept, so that the files are
	// put right and imported whole. Skipped rows are what clinic does not
	// record (a score of an assessment tool it has no code for); they do not
	// stop the import.
	Refused []DatasetProblem
	Skipped []DatasetProblem
	DryRun  bool
	Kept    bool // the import was committed
}

// errDryRun rolls a dry run's transaction back.
var errDryRun = errors.New("dry run")

// IDSImportOptions say how to import.
type IDSImportOptions struct {
	DryRun bool // report what would be added and refused, and keep nothing
	// TeamID is the team whose waiting list referrals without a known
	// therapist join; 0 for the service's only team. With several teams
	// and none named, such referrals are refused, saying to name one.
	TeamID int64
}

// ImportIDS reads the tables (rows by table name, each a map from column to
// value) into the store as actor, an admin. With opts.DryRun nothing is
// kept and the report says what would have been.
func (s *Store) ImportIDS(ctx context.Context, actor User, tables map[string][]map[string]string, opts IDSImportOptions) (IDSImport, error) {
	if actor.Role != RoleAdmin {
		return IDSImport{}, fmt.Errorf("import ids: %w", ErrNotFound)
	}
	dryRun := opts.DryRun
	var rep IDSImport
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		rep = IDSImport{DryRun: dryRun}
		im := &idsImport{s: s, tx: tx, actor: actor, rep: &rep, tables: tables, now: stamp(s.Now()), today: s.today(), teamID: opts.TeamID}
		for _, step := range []func(context.Context) error{im.staff, im.patients, im.referrals, im.contacts, im.scores, im.summaries} {
			if err := step(ctx); err != nil {
				return err
			}
		}
		if err := s.audit(ctx, tx, auditRow{userID: actor.ID, action: AuditImportIDS, entity: "service",
			detail: fmt.Sprintf("%d patients, %d referrals, %d contacts, %d scores added; %d refused", rep.Patients, rep.Referrals, rep.Contacts, rep.Scores, len(rep.Refused))}); err != nil {
			return err
		}
		if dryRun || len(rep.Refused) > 0 {
			return errDryRun
		}
		return nil
	})
	if err != nil && !errors.Is(err, errDryRun) {
		return IDSImport{}, fmt.Errorf("import ids: %w", err)
	}
	rep.Kept = err == nil
	return rep, nil
}

type idsImport struct {
	s          *Store
	tx         *sql.Tx
	actor      User
	rep        *IDSImport
	tables     map[string][]map[string]string
	now, today string
	teamID     int64  // the waiting list's team, as asked for
	waitTeam   *int64 // the waiting list's team, once checked (0: none)

	patients_  map[string]int64 // by LocalPatientId
	referrals_ map[string]int64 // by ServiceRequestId, this import's new ones
	contacts_  map[string]int64 // by CareContactId, this import's new ones
	acts       map[string]string
	staffUser  map[string]int64 // CareProfLocalId of a known member of staff
	touched    map[int64]bool   // referrals whose summary is recomputed
	earlier    map[string]bool  // ServiceRequestIds imported before
}

func (im *idsImport) refuse(table, id, field, problem string) {
	im.rep.Refused = append(im.rep.Refused, DatasetProblem{Table: table, RecordID: id, Field: field, Problem: problem})
}

// staff keeps each care professional's qualification, and knows the ones
// that are clinic's own staff (exported by clinic as U<id>) or were mapped
// before.
func (im *idsImport) staff(ctx context.Context) error {
	im.staffUser = map[string]int64{}
	for _, r := range im.tables["IDS902"] {
		id, qual := r["CareProfLocalId"], strings.TrimSpace(r["QualAttainLevelIAPT"])
		if id == "" {
			im.refuse("IDS902", "", "CareProfLocalId", "No local id")
			continue
		}
		if qual != "" && !dataset.QualAttainLevel.Valid(qual) {
			im.refuse("IDS902", id, "QualAttainLevelIAPT", "Not a qualification code: "+qual)
			qual = ""
		}
		if _, err := im.tx.ExecContext(ctx, `
			INSERT INTO care_professionals (local_id, qualification) VALUES (?, ?)
			ON CONFLICT (local_id) DO UPDATE SET qualification = excluded.qualification`, id, qual); err != nil {
			return err
		}
	}
	return nil
}

// patients adds IDS001's patients not imported before, with their
// demographics from IDS001, 002, 007, 011 and 602.
func (im *idsImport) patients(ctx context.Context) error {
	im.patients_ = map[string]int64{}
	byPatient := func(table, col string) map[string][]string {
		out := map[string][]string{}
		for _, r := range im.tables[table] {
			if v := strings.TrimSpace(r[col]); v != "" {
				out[r["LocalPatientId"]] = append(out[r["LocalPatientId"]], v)
			}
		}
		return out
	}
	gp, disability, soc, ltc := byPatient("IDS002", "GMPCodeReg"), byPatient("IDS007", "DisabilityCode"),
		byPatient("IDS011", "SocPerCircumstance"), byPatient("IDS602", "LongTermConditionCode")
	for _, r := range im.tables["IDS001"] {
		lp := strings.TrimSpace(r["LocalPatientId"])
		if lp == "" {
			im.refuse("IDS001", "", "LocalPatientId", "No local id")
			continue
		}
		var id int64
		err := im.tx.QueryRowContext(ctx, `SELECT patient_id FROM patient_local_ids WHERE local_id = ?`, lp).Scan(&id)
		if err == nil {
			im.patients_[lp] = id
			im.rep.AlreadyThere++
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		v := validation{}
		p := im.s.checkPatient(NewPatient{Name: "Imported patient " + lp, DateOfBirth: r["PersonBirthDate"], NHSNumber: r["NHSNumber"]}, v)
		d := Demographics{EthnicCategory: r["EthnicCategory"], GenderIdentity: r["GenderIdentity"], StatedGender: r["Gender"],
			PreferredLanguage: r["LanguageCodePreferred"], ExArmedForces: r["ExBAFIndicator"], Postcode: r["Postcode"],
			Disability: disability[lp], LongTermConditions: ltc[lp]}
		if g := gp[lp]; len(g) > 0 {
			d.GPPracticeCode = g[0]
		}
		if so := soc[lp]; len(so) > 0 {
			d.SexualOrientation = so[0]
		}
		d = d.normalised()
		checkDemographics(d, v)
		if len(v) > 0 {
			for _, k := range sortedKeys(v) {
				im.refuse("IDS001", lp, k, v[k])
			}
			continue
		}
		if err := im.s.insertPatient(ctx, im.tx, im.actor, &p); err != nil {
			return err
		}
		if _, err := im.tx.ExecContext(ctx, `INSERT INTO patient_local_ids (local_id, patient_id) VALUES (?, ?)`, lp, p.ID); err != nil {
			return err
		}
		if err := im.s.insertFirstDemographics(ctx, im.tx, im.actor, p.ID, d); err != nil {
			return err
		}
		im.patients_[lp] = p.ID
		im.rep.Patients++
	}
	return nil
}

// careProfOf finds, for each referral, the care professional who holds it
// in the source system (the one of its latest contact, as
// waitingForCareProf reads it once imported), and whether it is at high
// intensity now: its latest contact with a therapy type was high intensity
// therapy (each contact keeps its own intensity, contactIntensity).
func (im *idsImport) careProfOf() (prof map[string]string, high map[string]bool) {
	prof, high = map[string]string{}, map[string]bool{}
	therapyOf := map[string]string{}
	for _, r := range im.tables["IDS202"] {
		therapyOf[r["CareContactId"]] = r["CodeProcAndProcStatus"]
	}
	latest, latestTherapy := map[string]string{}, map[string]string{}
	for _, r := range im.tables["IDS201"] {
		sr, d := r["ServiceRequestId"], r["CareContDate"]
		if l, ok := latest[sr]; (!ok || d >= l) && r["CareProfLocalId"] != "" {
			prof[sr], latest[sr] = r["CareProfLocalId"], d
		}
		if c, ok := dataset.TherapyType.Lookup(therapyOf[r["CareContactId"]]); ok {
			if l, seen := latestTherapy[sr]; !seen || d >= l {
				high[sr], latestTherapy[sr] = c.Group == dataset.HighIntensity, d
			}
		}
	}
	return prof, high
}

// contactIntensity is the intensity of care an imported contact was given
// at, from its therapy type; "" when its therapy type does not say.
func contactIntensity(therapyType string) string {
	if c, ok := dataset.TherapyType.Lookup(therapyType); ok && c.Group != "" {
		return c.Group
	}
	return ""
}

// referrals adds IDS101's referrals not imported before, with their
// presenting complaint (IDS603).
func (im *idsImport) referrals(ctx context.Context) error {
	im.referrals_, im.touched, im.earlier = map[string]int64{}, map[int64]bool{}, map[string]bool{}
	complaint := map[string]string{}
	for _, r := range im.tables["IDS603"] {
		if _, ok := complaint[r["ServiceRequestId"]]; !ok {
			complaint[r["ServiceRequestId"]] = r["PresComp"]
		}
	}
	prof, high := im.careProfOf()
	for _, r := range im.tables["IDS101"] {
		sr := strings.TrimSpace(r["ServiceRequestId"])
		if sr == "" {
			im.refuse("IDS101", "", "ServiceRequestId", "No local id")
			continue
		}
		var one int
		err := im.tx.QueryRowContext(ctx, `SELECT 1 FROM referral_dataset WHERE local_id = ?`, sr).Scan(&one)
		if err == nil {
			im.rep.AlreadyThere++
			im.earlier[sr] = true
			continue
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		patientID, ok := im.patients_[r["LocalPatientId"]]
		if !ok {
			im.refuse("IDS101", sr, "LocalPatientId", "No imported patient "+r["LocalPatientId"])
			continue
		}
		descriptor := measures.OtherDescriptor
		if c, ok := measures.NormaliseDescriptor(complaint[sr]); ok {
			descriptor = c
		} else if complaint[sr] != "" {
			im.refuse("IDS603", sr, "PresComp", "Not an ICD-10 or SNOMED CT code: "+complaint[sr]+" (imported as other)")
		}
		intensity := measures.LowIntensity
		if high[sr] {
			intensity = measures.HighIntensity
		}
		ref := Referral{PatientID: patientID, ProblemDescriptor: descriptor, Intensity: intensity, CreatedAt: im.s.Now()}
		ended, v := checkImportedReferral(r, sr, im.today, &ref)
		if err := im.holder(ctx, prof[sr], &ref, v); err != nil {
			return err
		}
		if len(v) > 0 {
			for _, k := range sortedKeys(v) {
				im.refuse("IDS101", sr, k, v[k])
			}
			continue
		}
		if err := im.s.insertReferral(ctx, im.tx, im.actor, &ref); err != nil {
			return err
		}
		if ended != "" {
			if _, err := im.tx.ExecContext(ctx, `UPDATE referrals SET ended_on = ?, end_reason = 'other' WHERE id = ?`, ended, ref.ID); err != nil {
				return err
			}
		}
		if ref.Waiting {
			im.rep.Unallocated++
		}
		im.referrals_[sr] = ref.ID
		im.touched[ref.ID] = true
		im.rep.Referrals++
	}
	return nil
}

// checkImportedReferral reads an IDS101 row's dates, source and ending into
// ref, and returns its discharge date and what is wrong with the row.
func checkImportedReferral(r map[string]string, sr, today string, ref *Referral) (string, validation) {
	v := validation{}
	ref.ReceivedOn = strings.TrimSpace(r["ReferralRequestReceivedDate"])
	ref.Dataset = checkReferralDataset(NewReferral{SourceOfReferral: r["SourceOfReferralIAPT"], LTCPathway: r["IAPTLTCServiceInd"] == "Y", LocalID: sr}, v)
	if _, ok := parseDate(ref.ReceivedOn); !ok || ref.ReceivedOn > today {
		v.add("ReferralRequestReceivedDate", "Not a date, or in the future")
	}
	ended, endCode := strings.TrimSpace(r["ServDischDate"]), strings.TrimSpace(r["EndCode"])
	if ended != "" {
		if _, ok := parseDate(ended); !ok || ended < ref.ReceivedOn || ended > today {
			v.add("ServDischDate", "Not a date between the referral and today")
		}
	}
	if msg := CheckEndCode(endCode); msg != "" {
		v.add("EndCode", "Not an EndCode: "+endCode)
	}
	ref.Dataset.EndCode = endCode
	return ended, v
}

// holder puts the referral on the caseload of the therapist its care
// professional's local id is known as (care_professionals.user_id, an
// active therapist), or else on the waiting list of the import's team, held
// meanwhile by the importing admin. Local ids are never matched to clinic's
// own ids: another system's "U3" is not this one's user 3.
func (im *idsImport) holder(ctx context.Context, local string, r *Referral, v validation) error {
	var userID sql.NullInt64
	err := im.tx.QueryRowContext(ctx, `SELECT user_id FROM care_professionals WHERE local_id = ?`, local).Scan(&userID)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if userID.Valid {
		u, err := findUser(ctx, im.tx, userFilter{ID: userID.Int64})
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		if err == nil && u.Role == RoleTherapist && !u.Disabled && u.TeamID != 0 {
			r.TherapistID, r.TherapistName, r.TeamID = u.ID, u.Name, u.TeamID
			return nil
		}
	}
	team, msg, err := im.waitingTeam(ctx)
	if err != nil {
		return err
	}
	if msg != "" {
		v.add("CareProfLocalId", "No therapist is known as care professional "+cmpOr(local, "(none)")+", and "+msg)
		return nil
	}
	r.TherapistID, r.TeamID, r.Waiting = im.actor.ID, team, true
	return nil
}

// waitingTeam is the team whose waiting list the import's unallocated
// referrals join: the one asked for, or the service's only team. msg says
// why there is none.
func (im *idsImport) waitingTeam(ctx context.Context) (id int64, msg string, err error) {
	if im.waitTeam == nil {
		var n int
		q, args := `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM teams`, []any{}
		if im.teamID != 0 {
			q, args = q+` WHERE id = ?`, []any{im.teamID}
		}
		if err := im.tx.QueryRowContext(ctx, q, args...).Scan(&n, &id); err != nil {
			return 0, "", err
		}
		if n != 1 {
			id = 0
		}
		im.waitTeam = &id
	}
	switch {
	case *im.waitTeam != 0:
		return *im.waitTeam, "", nil
	case im.teamID != 0:
		return 0, "the team asked for does not exist", nil
	}
	return 0, "the service has no team, or several: name the team whose waiting list it joins (--team)", nil
}

// contacts adds IDS201's contacts of this import's referrals, with their
// care activity (IDS202) and employment status (IDS004, by date).
func (im *idsImport) contacts(ctx context.Context) error {
	im.contacts_, im.acts = map[string]int64{}, map[string]string{}
	activity := map[string]map[string]string{}
	for _, r := range im.tables["IDS202"] {
		activity[r["CareContactId"]] = r
		im.acts[r["CareActId"]] = r["CareContactId"]
	}
	employment := map[string]string{} // LocalPatientId|date
	for _, r := range im.tables["IDS004"] {
		employment[r["LocalPatientId"]+"|"+r["EmployStatusRecDate"]] = r["EmployStatus"]
	}
	patientOf := map[string]string{}
	for _, r := range im.tables["IDS101"] {
		patientOf[r["ServiceRequestId"]] = r["LocalPatientId"]
	}
	for _, r := range im.tables["IDS201"] {
		cc, sr := strings.TrimSpace(r["CareContactId"]), r["ServiceRequestId"]
		refID, ok := im.referrals_[sr]
		if !ok {
			if im.earlier[sr] {
				im.rep.AlreadyThere++
			}
			continue // its referral was imported before, or refused
		}
		kind, okKind := dataset.WordOf(dataset.Purposes, r["AppType"])
		att, okAtt := dataset.WordOf(dataset.Attendances, r["AttendOrDNACode"])
		medium, okMedium := dataset.WordOf(dataset.Media, r["ConsMechanism"])
		if r["ConsMechanism"] == "" {
			okMedium = true
		}
		act := activity[cc]
		in := NewContact{Date: strings.TrimSpace(r["CareContDate"]), Kind: kind, Attendance: att, Medium: medium,
			TherapyType: act["CodeProcAndProcStatus"], EmploymentStatus: employment[patientOf[sr]+"|"+r["CareContDate"]], LocalID: cc}
		if d := r["ClinContDurOfCareCont"]; d != "" {
			in.DurationMinutes, _ = strconv.Atoi(d)
		}
		v := validation{}
		if cc == "" {
			v.add("CareContactId", "No local id")
		}
		if !okKind {
			v.add("AppType", "Not an AppType: "+r["AppType"])
		}
		if !okAtt {
			v.add("AttendOrDNACode", "Not an AttendOrDNACode: "+r["AttendOrDNACode"])
		}
		if !okMedium {
			v.add("ConsMechanism", "Not a ConsMechanism: "+r["ConsMechanism"])
		}
		if _, ok := parseDate(in.Date); !ok || in.Date > im.today {
			v.add("CareContDate", "Not a date, or in the future")
		}
		checkContactDataset(v, in)
		if len(v) > 0 {
			for _, k := range sortedKeys(v) {
				im.refuse("IDS201", cc, k, v[k])
			}
			continue
		}
		id, err := insertContact(ctx, im.tx, im.actor, refID, in, im.now)
		if err != nil {
			return err
		}
		// A contact's therapy type says its step of care; without one it
		// is at its referral's.
		if _, err := im.tx.ExecContext(ctx, `UPDATE contacts SET care_prof_local_id = ?, intensity = COALESCE(?, intensity) WHERE id = ?`,
			nullString(r["CareProfLocalId"]), nullString(contactIntensity(in.TherapyType)), id); err != nil {
			return err
		}
		im.contacts_[cc] = id
		im.rep.Contacts++
	}
	return nil
}

// scores adds IDS607's scores of this import's contacts: the instrument
// from its SNOMED CT code, the total range-checked.
func (im *idsImport) scores(ctx context.Context) error {
	for _, r := range im.tables["IDS607"] {
		act := r["CareActId"]
		contactID, ok := im.contacts_[im.acts[act]]
		if !ok {
			continue // its contact was imported before, or refused
		}
		id, ok := dataset.AssessmentToolInstrument(r["CodedAssToolType"])
		if !ok {
			im.rep.Skipped = append(im.rep.Skipped, DatasetProblem{Table: "IDS607", RecordID: act, Field: "CodedAssToolType",
				Problem: "No instrument clinic records has the code " + r["CodedAssToolType"] + ": not imported"})
			continue
		}
		total, err := strconv.ParseFloat(strings.TrimSpace(r["PersScore"]), 64)
		in, known := measures.Lookup(measures.InstrumentID(id))
		if err != nil || !known || total < in.Min || total > in.Max {
			im.refuse("IDS607", act, "PersScore", "Not a "+id+" total: "+r["PersScore"])
			continue
		}
		if _, err := insertScore(ctx, im.tx, im.actor, contactID, measures.Score{Instrument: in.ID, Total: total}, SourceTherapist, im.now, 0); err != nil {
			return err
		}
		im.rep.Scores++
	}
	return nil
}

// summaries recomputes every imported referral's summary.
func (im *idsImport) summaries(ctx context.Context) error {
	for id := range im.touched {
		if _, err := im.s.recomputeSummary(ctx, im.tx, id); err != nil {
			return err
		}
	}
	return nil
}
