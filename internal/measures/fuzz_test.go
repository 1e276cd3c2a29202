package measures

import (
	"math"
	"testing"
)

// checkInvariants fails the test when an outcome breaks a rule that must
// hold whatever the data (issue 2, "How it is checked").
func checkInvariants(t *testing.T, o Outcome) {
	t.Helper()
	if o.ReliableRecovery && !(o.Recovered && o.ReliableImprovement) {
		t.Errorf("reliable recovery without recovery and reliable improvement: %+v", o)
	}
	if o.ReliableImprovement && o.ReliableDeterioration {
		t.Errorf("both reliable improvement and deterioration: %+v", o)
	}
	if o.NotAtCaseness && (o.AtCaseness || o.PHQ9.Count == 0 || o.AnxietyM.Count == 0) {
		t.Errorf("not at caseness without both first scores below caseness: %+v", o)
	}
	if o.Recovered && !o.AtCaseness {
		t.Errorf("recovered without being at caseness at the start: %+v", o)
	}
	judged := 0
	for _, b := range []bool{o.ReliableImprovement, o.ReliableDeterioration, o.NoReliableChange} {
		if b {
			judged++
		}
	}
	if o.Paired && judged != 1 {
		t.Errorf("paired with %d of improvement, deterioration, no change: %+v", judged, o)
	}
	if !o.Paired && (judged != 0 || o.Recovered || o.ReliableRecovery) {
		t.Errorf("unpaired yet judged: %+v", o)
	}
	if o.FinishedCourse && (o.Open || o.TreatmentSessions < 2) {
		t.Errorf("finished course while open or with fewer than 2 sessions: %+v", o)
	}
	if (o.WaitDays == -1) != (o.FirstTreatment.IsZero() || o.Received.IsZero()) || o.WaitDays < -1 {
		t.Errorf("WaitDays %d with first treatment %v", o.WaitDays, o.FirstTreatment)
	}
	r := ServiceRates([]Outcome{o, o})
	for _, x := range []*float64{r.RecoveryRate, r.ReliableRecoveryRate, r.ReliableImprovementRate,
		r.DeteriorationRate, r.PairedRate, r.Within6Rate, r.Within18Rate} {
		if x != nil && (*x < 0 || *x > 1 || math.IsNaN(*x)) {
			t.Errorf("rate %v outside 0–1: %+v", *x, r)
		}
	}
	if r.Finished-r.NotAtCaseness < r.Recovered || r.Recovered < r.ReliablyRecovered || r.Within18Weeks > r.Waited || r.Within6Weeks > r.Within18Weeks {
		t.Errorf("counts out of order: %+v", r)
	}
	if len(o.Summary()) == 0 {
		t.Error("empty summary")
	}
}

// checkFlags fails the test when flags are out of order, repeated or
// without a reason.
func checkFlags(t *testing.T, flags []Flag) {
	t.Helper()
	seen := map[string]bool{}
	for i, f := range flags {
		if seen[f.Code] || codeRank(f.Code) == len(flagOrder) || SeverityRank(f.Severity) == 0 || f.Reason == "" {
			t.Errorf("bad flag %+v in %v", f, flags)
		}
		seen[f.Code] = true
		if i > 0 && SeverityRank(flags[i-1].Severity) < SeverityRank(f.Severity) {
			t.Errorf("flags out of order: %v", flags)
		}
	}
}

// fuzzReferral decodes bytes into a referral: five bytes a contact (day,
// kind and attendance, PHQ-9, anxiety score, item 9), the scores spread a
// little past their instruments' ranges so that invalid ones occur too.
func fuzzReferral(desc string, ended bool, data []byte) Referral {
	r := Referral{Received: day(-int(len(data) % 60)), Descriptor: desc}
	if ended {
		r.EndedOn = day(400)
	}
	kinds := []ContactKind{Assessment, Treatment, Treatment, FollowUp, Review, AssessmentTreatment, ReviewTreatment}
	atts := []Attendance{Attended, Attended, DNA, Cancelled, AttendedLate, LateNotSeen, CancelledByPatient, CancelledByProvider}
	for len(data) >= 5 {
		b := data[:5]
		data = data[5:]
		c := Contact{
			Date:       day(int(b[0]) - 20),
			Kind:       kinds[int(b[1])%len(kinds)],
			Attendance: atts[int(b[1]>>4)%len(atts)],
			Scores:     sc{},
		}
		if b[2] < 240 {
			c.Scores[PHQ9] = float64(b[2] % 30)
		}
		anx := []InstrumentID{GAD7, MIAlone, SPIN, PDSS, OCI, IESR, HAI, WSAS}[int(b[3])%8]
		in, _ := lookup(anx)
		switch anx {
		case MIAlone:
			c.Scores[anx] = float64(80+int(b[4])*2) / 100 // 0.80–5.90
		default:
			c.Scores[anx] = math.Floor(float64(b[4]) / 255 * (in.Max + 3))
		}
		if b[4] == 255 {
			c.Scores[anx] = math.NaN()
		}
		if b[3] >= 128 {
			v := int(b[3]>>5) - 1 // -1..6
			c.Item9 = &v
		}
		r.Contacts = append(r.Contacts, c)
	}
	return r
}

func FuzzEvaluate(f *testing.F) {
	seeds := []struct {
		desc  string
		ended bool
		data  []byte
	}{
		{"F41.1", true, []byte{0, 0, 15, 0, 170, 7, 1, 8, 0, 60, 14, 1, 5, 0, 40}},
		{"F40.0", true, []byte{0, 0, 8, 1, 75, 7, 1, 6, 1, 40, 14, 1, 5, 1, 30}},
		{"F401", false, []byte{0, 0, 18, 2, 100, 7, 1, 12, 2, 130, 14, 1, 9, 2, 150}},
		{"F42", true, []byte{0, 0, 12, 4, 60, 7, 1, 9, 0, 100, 14, 1, 6, 0, 60, 30, 0x21, 0, 0, 0}},
		{"F32", true, []byte{0, 0, 20, 0, 80, 7, 0x21, 20, 0, 80, 14, 1, 8, 0, 70, 21, 0x31, 0, 0, 0}},
		{"other", false, []byte{0, 1, 25, 0x90, 255, 3, 1, 241, 0xe0, 0}},
		{"", true, nil},
		{"83482000", true, []byte{0, 0x45, 15, 0, 170, 7, 0x16, 8, 0, 60, 14, 0x76, 5, 0, 40}},
		{"K58.1", true, []byte{0, 0x50, 9, 0, 60, 7, 0x41, 4, 0, 30, 14, 1, 5, 0, 40}},
		{"garbage", true, []byte{255, 255, 255, 255, 255, 0, 0, 0, 0, 0}},
	}
	for _, s := range seeds {
		f.Add(s.desc, s.ended, s.data)
	}
	f.Fuzz(func(t *testing.T, desc string, ended bool, data []byte) {
		r := fuzzReferral(desc, ended, data)
		o := Evaluate(r)
		checkInvariants(t, o)
		intensity := LowIntensity
		if len(data)%2 == 1 {
			intensity = HighIntensity
		}
		checkFlags(t, Flags(o, desc, intensity, day(len(data)), nil))
		_ = DescriptorLabel(desc)
		_ = PairedADSM(desc)
	})
}
