// Package demo fills an empty clinic database with a fictional service, for
// trying the app (clinic serve --demo) and for tests that want realistic
// data. It writes only through caseload's Store, as real use would.
package demo

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"clinic/internal/caseload"
	"clinic/internal/measures"
)

// ErrNotEmpty is returned by Load when the database already has data.
var ErrNotEmpty = errors.New("database is not empty")

// Account is a demo sign-in, printed for whoever runs the demo.
type Account struct {
	Email, Password, Role, Name string
}

// Demo is what Load created.
type Demo struct {
	Loaded    bool
	Accounts  []Account
	Patients  int
	Referrals int
	Contacts  int
}

// dateLayout is how the store writes calendar dates.
const dateLayout = "2006-01-02"

// demoSeed makes the demo the same on every run (relative to the clock).
const demoSeed = 20260101

// demoCase is one demo referral: its problem, its therapist, where it is in
// its course and how its scores move.
type demoCase struct {
	therapist  int    // index into the demo therapists
	descriptor string // problem descriptor
	shape      string // recover, slow, partial, stuck, deteriorate, subclinical, dropout, waiting, new
	sessions   int    // attended treatment sessions so far
	endedAgo   int    // months since it ended; 0 while open
	endReason  string
	wait       int  // days from referral to assessment
	item9      int  // PHQ-9 item 9 at the latest session
	noADSM     bool // the paired ADSM is never recorded
	missedEnd  int  // non-attended appointments after the last attended one
	followUp   bool // a follow-up appointment before ending
}

// demoCases cover what a demo should show: recovery, slow response, drop-out,
// deterioration, risk, an ADSM case of each kind, cases not at caseness,
// finished courses 1–11 months ago (for reports), and people waiting.
var demoCases = []demoCase{
	// A low-intensity practitioner (PWP): depression and anxiety, 6–8 sessions.
	{therapist: 0, descriptor: "F32", shape: "recover", sessions: 5, wait: 12},
	{therapist: 0, descriptor: "F41.1", shape: "slow", sessions: 7, wait: 16},
	{therapist: 0, descriptor: "F32", shape: "partial", sessions: 4, wait: 10, item9: 2},
	{therapist: 0, descriptor: "F41.2", shape: "stuck", sessions: 5, wait: 20},
	{therapist: 0, descriptor: "F41.1", shape: "recover", sessions: 3, wait: 14, missedEnd: 2},
	{therapist: 0, descriptor: "F32", shape: "waiting", wait: 38},
	{therapist: 0, descriptor: "F41.2", shape: "waiting", wait: 50},
	{therapist: 0, descriptor: "F41.1", shape: "new", wait: 5},
	{therapist: 0, descriptor: "F41.1", shape: "subclinical", sessions: 3, wait: 9},
	{therapist: 0, descriptor: "F32", shape: "slow", sessions: 10, wait: 11},
	{therapist: 0, descriptor: "F32", shape: "recover", sessions: 6, endedAgo: 2, endReason: "completed", wait: 15},
	{therapist: 0, descriptor: "F41.1", shape: "recover", sessions: 5, endedAgo: 4, endReason: "completed", wait: 21},
	{therapist: 0, descriptor: "F32", shape: "dropout", sessions: 2, endedAgo: 3, endReason: "dropped_out", wait: 18, missedEnd: 2},
	{therapist: 0, descriptor: "F41.2", shape: "partial", sessions: 6, endedAgo: 6, endReason: "completed", wait: 30},
	{therapist: 0, descriptor: "F41.1", shape: "subclinical", sessions: 4, endedAgo: 8, endReason: "completed", wait: 12},
	{therapist: 0, descriptor: "F32", shape: "deteriorate", sessions: 5, endedAgo: 10, endReason: "referred_on", wait: 45},

	// A high-intensity therapist: the anxiety disorders with their own measures.
	{therapist: 1, descriptor: "F40.0", shape: "recover", sessions: 8, wait: 20},
	{therapist: 1, descriptor: "F40.1", shape: "slow", sessions: 9, wait: 25},
	{therapist: 1, descriptor: "F41.0", shape: "recover", sessions: 6, wait: 14},
	{therapist: 1, descriptor: "F42", shape: "stuck", sessions: 9, wait: 28},
	{therapist: 1, descriptor: "F43.1", shape: "deteriorate", sessions: 5, wait: 21},
	{therapist: 1, descriptor: "F45.2", shape: "recover", sessions: 7, wait: 17},
	{therapist: 1, descriptor: "F42", shape: "partial", sessions: 3, wait: 19, noADSM: true},
	{therapist: 1, descriptor: "F43.1", shape: "waiting", wait: 40},
	{therapist: 1, descriptor: "F43.1", shape: "recover", sessions: 12, endedAgo: 1, endReason: "completed", wait: 24, followUp: true},
	{therapist: 1, descriptor: "F40.1", shape: "partial", sessions: 10, endedAgo: 5, endReason: "completed", wait: 33},
	{therapist: 1, descriptor: "F41.0", shape: "recover", sessions: 8, endedAgo: 7, endReason: "completed", wait: 16},
	{therapist: 1, descriptor: "F45.2", shape: "dropout", sessions: 2, endedAgo: 9, endReason: "dropped_out", wait: 22, missedEnd: 2},
	{therapist: 1, descriptor: "F40.0", shape: "recover", sessions: 10, endedAgo: 11, endReason: "completed", wait: 35},

	// A high-intensity therapist: depression and generalised anxiety.
	{therapist: 2, descriptor: "F33", shape: "recover", sessions: 10, wait: 18},
	{therapist: 2, descriptor: "F32", shape: "deteriorate", sessions: 6, wait: 13},
	{therapist: 2, descriptor: "F32", shape: "slow", sessions: 8, wait: 15, item9: 3},
	{therapist: 2, descriptor: "F41.1", shape: "partial", sessions: 7, wait: 26},
	{therapist: 2, descriptor: "F43.1", shape: "slow", sessions: 4, wait: 20},
	{therapist: 2, descriptor: "F32", shape: "waiting", wait: 45},
	{therapist: 2, descriptor: "F32", shape: "recover", sessions: 12, endedAgo: 1, endReason: "completed", wait: 20, followUp: true},
	{therapist: 2, descriptor: "F41.1", shape: "recover", sessions: 8, endedAgo: 3, endReason: "completed", wait: 27},
	{therapist: 2, descriptor: "F33", shape: "stuck", sessions: 14, endedAgo: 6, endReason: "referred_on", wait: 40},
	{therapist: 2, descriptor: "F41.2", shape: "recover", sessions: 10, endedAgo: 9, endReason: "completed", wait: 19},
	{therapist: 2, descriptor: "F40.2", shape: "subclinical", sessions: 6, endedAgo: 10, endReason: "completed", wait: 23},
	{therapist: 2, descriptor: "F32", shape: "dropout", sessions: 1, endedAgo: 2, endReason: "dropped_out", wait: 17, missedEnd: 2},
}

var demoFirstNames = []string{
	"Alex", "Bailey", "Casey", "Dana", "Eden", "Frankie", "Gale", "Harper", "Indy", "Jules",
	"Kit", "Lee", "Morgan", "Nico", "Oakley", "Parker", "Quinn", "Robin", "Sam", "Taylor",
	"Umber", "Val", "Wren", "Xan", "Yael", "Zuri",
}

// demoSurnames make it plain that nobody here is real.
var demoSurnames = []string{
	"Example", "Sample", "Placeholder", "Madeup", "Fictional", "Pretend", "Testperson",
	"Imaginary", "Demoson", "Notreal", "Specimen", "Mockley",
}

// Load fills an empty database with a demo service: an admin, a
// supervisor of team North, three therapists and about forty fictional
// patients whose referrals are recorded through the store's ordinary write
// paths, so their summaries are what real use would give. Dates are relative
// to the store's clock; the data is the same on every run. On a database
// with any user or patient it returns ErrNotEmpty and changes nothing.
func Load(ctx context.Context, s *caseload.Store) (Demo, error) {
	empty, err := s.Empty(ctx)
	if err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}
	if !empty {
		return Demo{}, fmt.Errorf("load demo: %w", ErrNotEmpty)
	}
	d := Demo{Loaded: true}
	therapists, err := loadDemoStaff(ctx, s, &d)
	if err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}
	// Demo data is deterministic on purpose (the same demo on every run);
	// nothing secret is drawn from it.
	rng := rand.New(rand.NewPCG(demoSeed, demoSeed)) // #nosec G404 -- see above
	today, err := time.Parse(dateLayout, s.Today())
	if err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}
	var firstPatient caseload.Patient
	var firstReferral caseload.Referral
	for i, dc := range demoCases {
		g := demoGenerator{rng: rng, today: today}
		p, r, err := loadDemoCase(ctx, s, &d, g, i, dc, therapists[dc.therapist])
		if err != nil {
			return Demo{}, fmt.Errorf("load demo: %w", err)
		}
		if i == 0 {
			firstPatient, firstReferral = p, r
		}
	}
	if err := loadDemoPatient(ctx, s, &d, therapists[0], firstPatient, firstReferral); err != nil {
		return Demo{}, fmt.Errorf("load demo: %w", err)
	}
	return d, nil
}

// loadDemoStaff adds the demo's admin, supervisor and therapists, and
// returns the therapists.
func loadDemoStaff(ctx context.Context, s *caseload.Store, d *Demo) ([]caseload.User, error) {
	newUser := func(email, name string, role caseload.Role, team, password string) (caseload.User, error) {
		u, err := s.CreateUser(ctx, caseload.NewUser{Email: email, Name: name, Role: role, Team: team, Password: password})
		if err != nil {
			return caseload.User{}, err
		}
		d.Accounts = append(d.Accounts, Account{Email: email, Password: password, Role: string(role), Name: name})
		return u, nil
	}
	admin, err := newUser("admin@demo.example", "Ada Admin (demo)", caseload.RoleAdmin, "", "demo-ada-pass")
	if err != nil {
		return nil, err
	}
	if _, err := newUser("supervisor@demo.example", "Sol Supervisor (demo)", caseload.RoleSupervisor, "North", "demo-sol-pass"); err != nil {
		return nil, err
	}
	var therapists []caseload.User
	for i, name := range []string{"Pat Practitioner (demo, PWP)", "Theo Therapist (demo, CBT)", "Tess Therapist (demo, CBT)"} {
		n := strconv.Itoa(i + 1)
		u, err := newUser("therapist"+n+"@demo.example", name, caseload.RoleTherapist, "North", "demo-therapist-"+n)
		if err != nil {
			return nil, err
		}
		therapists = append(therapists, u)
	}
	return therapists, setDemoQualifications(ctx, s, admin, therapists)
}

// loadDemoCase records demo case i through the store's ordinary write
// paths: its patient, referral, contacts and end.
func loadDemoCase(ctx context.Context, s *caseload.Store, d *Demo, g demoGenerator, i int, dc demoCase, th caseload.User) (caseload.Patient, caseload.Referral, error) {
	plan := g.plan(dc)
	p, err := s.CreatePatient(ctx, th, caseload.NewPatient{
		Name:        demoFirstNames[i%len(demoFirstNames)] + " " + demoSurnames[(i*7)%len(demoSurnames)],
		DateOfBirth: plan.received.AddDate(-18-g.rng.IntN(55), -g.rng.IntN(12), -g.rng.IntN(28)).Format(dateLayout),
		NHSNumber:   demoNHSNumber(g.rng),

		Demographics: demoDemographics(i),
	})
	if err != nil {
		return caseload.Patient{}, caseload.Referral{}, err
	}
	d.Patients++
	intensity := measures.HighIntensity
	if dc.therapist == 0 {
		intensity = measures.LowIntensity
	}
	r, err := s.CreateReferral(ctx, th, caseload.NewReferral{
		PatientID:         p.ID,
		TherapistID:       th.ID,
		ReceivedOn:        plan.received.Format(dateLayout),
		ProblemDescriptor: dc.descriptor,
		Intensity:         string(intensity),
		SourceOfReferral:  demoSource(i),
	})
	if err != nil {
		return caseload.Patient{}, caseload.Referral{}, err
	}
	d.Referrals++
	last := lastAttended(plan.contacts)
	for k, c := range plan.contacts {
		c = withDataset(c, i, k, k == 0 || k == last)
		c.SubmissionID = "demo-" + strconv.Itoa(i) + "-" + strconv.Itoa(k)
		if _, err := s.RecordContact(ctx, th, r.ID, c); err != nil {
			return caseload.Patient{}, caseload.Referral{}, fmt.Errorf("case %d contact %d: %w", i, k, err)
		}
		d.Contacts++
	}
	if !plan.ended.IsZero() {
		if _, err := s.EndReferral(ctx, th, r.ID, plan.ended.Format(dateLayout), dc.endReason, demoEndCode(dc.endReason, dc.sessions > 0),
			caseload.EndRisk{Acknowledged: true, Note: "Risk reviewed with the patient at discharge; safety plan shared with the GP"}); err != nil {
			return caseload.Patient{}, caseload.Referral{}, fmt.Errorf("case %d: %w", i, err)
		}
	}
	return p, r, nil
}

// loadDemoPatient gives the first demo case's patient a sign-in, taken up
// through an invitation as a real patient would, and answers waiting for
// their therapist, so that both sides of issue 5 can be seen.
func loadDemoPatient(ctx context.Context, s *caseload.Store, d *Demo, therapist caseload.User, p caseload.Patient, r caseload.Referral) error {
	// The demo's printed sign-in, public by design.
	const email, password = "patient@demo.example", "demo-kettle-river" // #nosec G101 -- see above
	_, code, err := s.CreateInvitation(ctx, therapist, r.ID)
	if err != nil {
		return err
	}
	u, err := s.AcceptInvitation(ctx, caseload.AcceptInvitation{Code: code, DateOfBirth: p.DateOfBirth, Email: email, Password: password, Address: "demo"})
	if err != nil {
		return err
	}
	d.Accounts = append(d.Accounts, Account{Email: email, Password: password, Role: string(caseload.RolePatient), Name: u.Name})
	a := func(v int) *int { return &v }
	_, err = s.SubmitQuestionnaire(ctx, u, r.ID, map[measures.InstrumentID][]*int{
		measures.PHQ9: {a(1), a(1), a(0), a(1), a(0), a(0), a(1), a(0), a(0)},
		measures.GAD7: {a(1), a(0), a(1), a(0), a(0), a(1), a(0)},
	})
	return err
}

// demoNHSNumber makes a valid NHS number in the 999 range, which is never
// issued to a person (it is set aside for test data).
func demoNHSNumber(rng *rand.Rand) string {
	for {
		n := fmt.Sprintf("999%06d", rng.IntN(1_000_000))
		sum := 0
		for i := 0; i < 9; i++ {
			sum += int(n[i]-'0') * (10 - i)
		}
		check := 11 - sum%11
		if check == 11 {
			check = 0
		}
		if check != 10 {
			return n + strconv.Itoa(check)
		}
	}
}

type demoGenerator struct {
	rng   *rand.Rand
	today time.Time
}

type demoPlan struct {
	received time.Time
	contacts []caseload.NewContact
	ended    time.Time
}

// demoSlot is one appointment of a plan.
type demoSlot struct {
	kind     measures.ContactKind
	attended bool
}

// plan lays out a case's appointments week by week: an assessment, the
// treatment sessions (with the odd missed one), missed appointments at the
// end, a follow-up, and the end date; open cases have their latest
// appointment in the last week, ended ones end dc.endedAgo months ago.
// (The random draws are made in a fixed order, so the demo is the same on
// every run.)
func (g demoGenerator) plan(dc demoCase) demoPlan {
	slots := g.slots(dc)
	offsets, span := g.offsets(dc, slots)
	var plan demoPlan
	plan.received, plan.ended = g.dates(dc, span)
	attended := 0
	for _, sl := range slots {
		if sl.attended {
			attended++
		}
	}
	k := 0
	for i, sl := range slots {
		date := plan.received.AddDate(0, 0, offsets[i]).Format(dateLayout)
		if !sl.attended {
			plan.contacts = append(plan.contacts, g.missed(sl, date))
			continue
		}
		plan.contacts = append(plan.contacts, g.attended(dc, sl, date, k, attended))
		k++
	}
	return plan
}

// slots are a case's appointments in order.
func (g demoGenerator) slots(dc demoCase) []demoSlot {
	var slots []demoSlot
	switch dc.shape {
	case "new":
	case "waiting":
		if dc.wait < 45 {
			slots = append(slots, demoSlot{measures.Assessment, true})
		}
	default:
		slots = append(slots, demoSlot{measures.Assessment, true})
		for k := 0; k < dc.sessions; k++ {
			if k > 1 && k < dc.sessions-1 && g.rng.IntN(8) == 0 {
				slots = append(slots, demoSlot{measures.Treatment, false})
			}
			slots = append(slots, demoSlot{measures.Treatment, true})
		}
		if dc.followUp {
			slots = append(slots, demoSlot{measures.FollowUp, true})
		}
		for k := 0; k < dc.missedEnd; k++ {
			slots = append(slots, demoSlot{measures.Treatment, false})
		}
	}
	return slots
}

// offsets are the days from referral to each slot: the assessment after
// dc.wait days (or the whole wait for those still waiting), then weekly, a
// follow-up four weeks on; span is the last one's (0 with none).
func (g demoGenerator) offsets(dc demoCase, slots []demoSlot) (offsets []int, span int) {
	offsets = make([]int, len(slots))
	day := dc.wait
	if dc.shape == "waiting" || dc.shape == "new" {
		day = dc.wait - 7 - g.rng.IntN(4)
	}
	for k, sl := range slots {
		if k > 0 {
			day += 7
			if sl.kind == measures.FollowUp {
				day += 21
			}
		}
		offsets[k] = day
	}
	if len(slots) == 0 {
		return offsets, 0
	}
	return offsets, day
}

// dates are a case's referral date and end date (zero while open).
func (g demoGenerator) dates(dc demoCase, span int) (received, ended time.Time) {
	if dc.endedAgo > 0 {
		ended = g.today.AddDate(0, -dc.endedAgo, -g.rng.IntN(10))
		return ended.AddDate(0, 0, -span-7), ended
	}
	switch dc.shape {
	case "waiting", "new":
		return g.today.AddDate(0, 0, -dc.wait), time.Time{}
	default:
		return g.today.AddDate(0, 0, -span-g.rng.IntN(5)), time.Time{}
	}
}

// missed is an appointment the patient did not attend or cancelled.
func (g demoGenerator) missed(sl demoSlot, date string) caseload.NewContact {
	c := caseload.NewContact{Date: date, Kind: string(sl.kind), Attendance: string(measures.DNA)}
	if g.rng.IntN(3) == 0 {
		c.Attendance = string(measures.Cancelled)
	}
	return c
}

// attended is the k-th attended appointment of n, with its scores: PHQ-9
// and GAD-7 always, the descriptor's own measure unless the case never has
// it, the WSAS at the first, the last and every fourth.
func (g demoGenerator) attended(dc demoCase, sl demoSlot, date string, k, n int) caseload.NewContact {
	c := caseload.NewContact{Date: date, Kind: string(sl.kind), Attendance: string(measures.Attended)}
	inst := measures.PairedADSM(dc.descriptor)
	level := demoLevel(dc.shape, k, n)
	last := k == n-1
	item9 := 0
	if last {
		item9 = dc.item9
	}
	c.Scores = map[measures.InstrumentID]caseload.ScoreInput{
		measures.PHQ9: {Items: g.items(measures.PHQ9, level, item9)},
		measures.GAD7: {Items: g.items(measures.GAD7, level, -1)},
	}
	if inst != measures.GAD7 && !dc.noADSM {
		t := g.total(inst, level)
		c.Scores[inst] = caseload.ScoreInput{Total: &t}
	}
	if k == 0 || last || k%4 == 0 {
		c.Scores[measures.WSAS] = caseload.ScoreInput{Items: g.items(measures.WSAS, level, -1)}
	}
	return c
}

// demoLevel is a case's severity at its k-th scored contact of n, as a
// multiple of caseness: recovery ends well below it, slow responders only
// improve after the sixth contact, deterioration rises by more than the
// reliable change.
func demoLevel(shape string, k, n int) float64 {
	frac := 0.0
	if n > 1 {
		frac = float64(k) / float64(n-1)
	}
	lerp := func(a, b float64) float64 { return a + (b-a)*frac }
	switch shape {
	case "recover":
		return lerp(1.6, 0.45)
	case "slow":
		if k < 6 {
			return 1.6 - 0.02*float64(k)
		}
		return 1.5 - 0.25*float64(k-5)
	case "partial":
		return lerp(2.1, 1.2)
	case "stuck":
		return lerp(1.6, 1.5)
	case "deteriorate":
		return lerp(1.2, 2.1)
	case "subclinical":
		return lerp(0.7, 0.35)
	case "dropout":
		return lerp(1.7, 1.5)
	default: // waiting: assessed, not yet treated
		return 1.5
	}
}

// items makes answers for an itemised instrument whose total is about level
// times its caseness (for measures without caseness, level times a third of
// the range). item9 >= 0 fixes the PHQ-9's ninth answer.
func (g demoGenerator) items(id measures.InstrumentID, level float64, item9 int) []*int {
	in, _ := measures.Lookup(id)
	scale := in.Caseness
	if !in.HasCaseness {
		scale = in.Max / 3
	}
	target := int(math.Round(level*scale)) + g.rng.IntN(3) - 1
	n := in.ItemCount
	fixed := -1
	if id == measures.PHQ9 && item9 >= 0 {
		fixed = 8
		target -= item9
	}
	free := n
	if fixed >= 0 {
		free--
	}
	target = max(0, min(target, free*in.ItemMax))
	answers := make([]int, n)
	order := g.rng.Perm(n)
	for left := target; left > 0; {
		for _, i := range order {
			if left == 0 {
				break
			}
			if i == fixed || answers[i] == in.ItemMax {
				continue
			}
			answers[i]++
			left--
		}
	}
	if fixed >= 0 {
		answers[fixed] = item9
	}
	out := make([]*int, n)
	for i := range answers {
		v := answers[i]
		out[i] = &v
	}
	return out
}

// total makes a total-only score of about level times caseness, within range
// and with the instrument's decimals.
func (g demoGenerator) total(id measures.InstrumentID, level float64) float64 {
	in, _ := measures.Lookup(id)
	jitter := (g.rng.Float64() - 0.5) * 0.1
	t := (level + jitter) * in.Caseness
	p := math.Pow10(in.Decimals)
	t = math.Round(t*p) / p
	return max(in.Min, min(t, in.Max))
}
