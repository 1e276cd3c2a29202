package measures

import (
	"math"
	"strconv"
)

// Answer labels shared by PHQ-9 and GAD-7: "Over the last 2 weeks, how often
// have you been bothered by...". Kroenke et al. (2001); Spitzer et al. (2006).
var frequencyAnswers = []string{
	"Not at all",
	"Several days",
	"More than half the days",
	"Nearly every day",
}

// WSAS answers: the scale anchors every even point and leaves the odd points
// unlabelled (Mundt et al. 2002); an empty label means "show the number".
var wsasAnswers = []string{
	"Not at all", "", "Slightly", "", "Definitely", "", "Markedly", "", "Very severely",
}

// IAPT Phobia Scales answers, anchored like WSAS.
var phobiaAnswers = []string{
	"Would not avoid it", "", "Slightly avoid it", "", "Definitely avoid it", "",
	"Markedly avoid it", "", "Always avoid it",
}

// catalogue is the instrument table of outcomes.md section 1, in the order
// forms and reports list them. Cut-offs carry their source; values marked
// "to confirm" are as given in the reference and must be checked against the
// current NHS Talking Therapies Manual (hence RuleSet on every report).
var catalogue = []Instrument{
	{
		ID:    PHQ9,
		Name:  "PHQ-9",
		Title: "Patient Health Questionnaire (depression)",
		About: "How often low mood and related problems, such as poor sleep, " +
			"tiredness and loss of interest, have bothered you over the last two weeks.",
		Stem:     "Over the last 2 weeks, how often have you been bothered by any of the following problems?",
		Itemised: true,
		Items: []Item{
			{1, "Little interest or pleasure in doing things"},
			{2, "Feeling down, depressed, or hopeless"},
			{3, "Trouble falling or staying asleep, or sleeping too much"},
			{4, "Feeling tired or having little energy"},
			{5, "Poor appetite or overeating"},
			{6, "Feeling bad about yourself — or that you are a failure or have let yourself or your family down"},
			{7, "Trouble concentrating on things, such as reading the newspaper or watching television"},
			{8, "Moving or speaking so slowly that other people could have noticed? Or the opposite — " +
				"being so fidgety or restless that you have been moving around a lot more than usual"},
			{9, "Thoughts that you would be better off dead or of hurting yourself in some way"},
		},
		ItemMin: 0, ItemMax: 3,
		Answers:   frequencyAnswers,
		ItemCount: 9,
		Min:       0, Max: 27,
		// Missing items: outcomes.md section 1 (one or two pro-rated).
		MaxProrated: 2,
		HasCaseness: true,
		Caseness:    10, // >= 10: NHS Data Dictionary; NHS Digital outcome reports (confirmed)
		RC:          6,  // NHS Data Dictionary; NHS Digital outcome reports (confirmed)
	},
	{
		ID:    GAD7,
		Name:  "GAD-7",
		Title: "Generalised Anxiety Disorder scale",
		About: "How often worry, nervousness and feeling on edge have bothered you over the last two weeks.",
		Stem:  "Over the last 2 weeks, how often have you been bothered by the following problems?",
		Items: []Item{
			{1, "Feeling nervous, anxious or on edge"},
			{2, "Not being able to stop or control worrying"},
			{3, "Worrying too much about different things"},
			{4, "Trouble relaxing"},
			{5, "Being so restless that it is hard to sit still"},
			{6, "Becoming easily annoyed or irritable"},
			{7, "Feeling afraid as if something awful might happen"},
		},
		Itemised: true,
		ItemMin:  0, ItemMax: 3,
		Answers:   frequencyAnswers,
		ItemCount: 7,
		Min:       0, Max: 21,
		MaxProrated: 2, // outcomes.md section 1
		HasCaseness: true,
		Caseness:    8, // >= 8: NHS Data Dictionary; NHS Digital outcome reports (confirmed)
		RC:          4, // NHS Data Dictionary; NHS Digital outcome reports (confirmed)
	},
	{
		ID:    MIAlone,
		Name:  "MI (alone)",
		Title: "Mobility Inventory for Agoraphobia, when alone",
		About: "How much you avoid places and situations, such as shops, buses or being far from home, when you are on your own.",
		// Recorded as the item mean of 27 situations rated 1–5, to two decimals.
		ItemMin: 1, ItemMax: 5,
		ItemCount: 27,
		Min:       1, Max: 5,
		Decimals:       2,
		HasCaseness:    true,
		Caseness:       2.3,  // > 2.3 (strict): NHS Data Dictionary, Agoraphobia Mobility Inventory (confirmed)
		StrictCaseness: true, // the one strict cut-off: NHS Data Dictionary
		RC:             0.73, // IAPT Manual 2018/19 — to confirm
	},
	{
		ID:      SPIN,
		Name:    "SPIN",
		Title:   "Social Phobia Inventory",
		About:   "How much fear and avoidance of social situations, and of being judged by others, has troubled you over the last week.",
		ItemMin: 0, ItemMax: 4,
		ItemCount: 17,
		Min:       0, Max: 68,
		HasCaseness: true,
		Caseness:    19, // >= 19: IAPT Manual 2018/19 — to confirm
		RC:          10, // IAPT Manual 2018/19 — to confirm
	},
	{
		ID:      PDSS,
		Name:    "PDSS",
		Title:   "Panic Disorder Severity Scale (self-report)",
		About:   "How often you have had panic attacks over the last week, how distressing they were, and how much they affect your life.",
		ItemMin: 0, ItemMax: 4,
		ItemCount: 7,
		Min:       0, Max: 28,
		HasCaseness: true,
		Caseness:    8, // >= 8: IAPT Manual 2018/19 — to confirm
		RC:          5, // IAPT Manual 2018/19 — to confirm
	},
	{
		ID:      OCI,
		Name:    "OCI",
		Title:   "Obsessive-Compulsive Inventory",
		About:   "How much unwanted thoughts, urges to check, clean or order things, and similar experiences have distressed you over the last month.",
		ItemMin: 0, ItemMax: 4,
		ItemCount: 42,
		Min:       0, Max: 168, // range: NHS Data Dictionary (confirmed)
		HasCaseness: true,
		Caseness:    40, // >= 40: IAPT Manual 2018/19 — to confirm
		RC:          32, // IAPT Manual 2018/19 — to confirm
	},
	{
		ID:      IESR,
		Name:    "IES-R",
		Title:   "Impact of Event Scale – Revised",
		About:   "How much a distressing or frightening event has troubled you over the last week: memories, nightmares, avoidance and feeling on guard.",
		ItemMin: 0, ItemMax: 4,
		ItemCount: 22,
		Min:       0, Max: 88,
		HasCaseness: true,
		Caseness:    33, // >= 33: IAPT Manual 2018/19 — to confirm
		RC:          9,  // IAPT Manual 2018/19 — to confirm
	},
	{
		ID:      HAI,
		Name:    "HAI",
		Title:   "Health Anxiety Inventory (short week version)",
		About:   "How much worry about your health, and about having a serious illness, has troubled you over the last week.",
		ItemMin: 0, ItemMax: 3,
		ItemCount: 14,
		Min:       0, Max: 42,
		HasCaseness: true,
		Caseness:    18, // >= 18: IAPT Manual 2018/19 — to confirm
		RC:          4,  // IAPT Manual 2018/19 — to confirm
	},
	{
		ID:       WSAS,
		Name:     "WSAS",
		Title:    "Work and Social Adjustment Scale",
		About:    "How much your problems get in the way of work, running your home, social and private leisure, and close relationships.",
		Stem:     "Because of my problems, my ability to do these things is impaired:",
		Itemised: true,
		Items: []Item{
			{1, "Work"}, // may be "not applicable" when the person is not working
			{2, "Home management"},
			{3, "Social leisure activities"},
			{4, "Private leisure activities"},
			{5, "Close relationships"},
		},
		ItemMin: 0, ItemMax: 8,
		Answers:   wsasAnswers,
		ItemCount: 5,
		Min:       0, Max: 40,
		// Not used for recovery (outcomes.md section 1): no caseness, no RC.
	},
	{
		ID:       Phobia,
		Name:     "Phobia scales",
		Title:    "IAPT Phobia Scales",
		About:    "How much you avoid social situations, situations where you fear a panic attack, and particular objects or activities.",
		Stem:     "How much would you avoid each of these situations or objects?",
		Itemised: true,
		Items: []Item{
			{1, "Social situations"},
			{2, "Certain situations because of a fear of having a panic attack or other distressing symptoms"},
			{3, "Certain situations because of a fear of particular objects or activities"},
		},
		ItemMin: 0, ItemMax: 8,
		Answers:   phobiaAnswers,
		ItemCount: 3,
		Min:       0, Max: 24,
		// Screening only: each item is judged on its own (PhobiaCases).
	},
}

// adsms are the anxiety disorder specific measures (outcomes.md section 1).
var adsms = []InstrumentID{MIAlone, SPIN, PDSS, OCI, IESR, HAI}

// Instruments returns the catalogue in the order forms list it. The result
// is a copy: changing it does not change the rules.
func Instruments() []Instrument {
	out := make([]Instrument, len(catalogue))
	for i, in := range catalogue {
		out[i] = in.clone()
	}
	return out
}

// ADSMs returns the anxiety disorder specific measures, recorded as totals.
func ADSMs() []Instrument {
	out := make([]Instrument, 0, len(adsms))
	for _, id := range adsms {
		in, _ := Lookup(id)
		out = append(out, in)
	}
	return out
}

// Lookup returns the instrument with the given id.
func Lookup(id InstrumentID) (Instrument, bool) {
	in, ok := lookup(id)
	if !ok {
		return Instrument{}, false
	}
	return in.clone(), true
}

// lookup returns the catalogue entry without copying its slices; callers in
// this package must not change them.
func lookup(id InstrumentID) (*Instrument, bool) {
	for i := range catalogue {
		if catalogue[i].ID == id {
			return &catalogue[i], true
		}
	}
	return nil, false
}

func (in Instrument) clone() Instrument {
	in.Items = append([]Item(nil), in.Items...)
	in.Answers = append([]string(nil), in.Answers...)
	return in
}

// IsADSM reports whether the instrument is an anxiety disorder specific
// measure.
func (in Instrument) IsADSM() bool {
	for _, id := range adsms {
		if id == in.ID {
			return true
		}
	}
	return false
}

// IsCase reports whether a total is at clinical caseness: at or above the
// cut-off, or strictly above it for the Mobility Inventory. Instruments
// without caseness (WSAS, phobia scales) are never a case.
func (in Instrument) IsCase(total float64) bool {
	if !in.HasCaseness || math.IsNaN(total) {
		return false
	}
	// Compare at the precision the total is kept with, so that an MI mean
	// worked out as 62.1/27 is judged as the 2.30 a clinician sees.
	total = roundTo(total, in.Decimals)
	if in.StrictCaseness {
		return total > in.Caseness
	}
	return total >= in.Caseness
}

// Format shows a total with the instrument's decimals: "14", MI "2.31".
func (in Instrument) Format(total float64) string {
	return strconv.FormatFloat(total, 'f', in.Decimals, 64)
}

// roundTo rounds half away from zero to the given decimals; with 0 decimals
// the value is left alone (whole-number totals are never rounded here).
func roundTo(x float64, decimals int) float64 {
	if decimals <= 0 {
		return x
	}
	p := math.Pow10(decimals)
	return math.Round(x*p) / p
}

// Severity is the display band of a PHQ-9 or GAD-7 total (outcomes.md
// section 1; not used for recovery), "" for other instruments and for totals
// outside the instrument's range.
func Severity(id InstrumentID, total float64) string {
	switch id {
	case PHQ9:
		if math.IsNaN(total) || total < 0 || total > 27 {
			return ""
		}
		// Kroenke et al. (2001): 0–4, 5–9, 10–14, 15–19, 20–27.
		switch {
		case total < 5:
			return "minimal"
		case total < 10:
			return "mild"
		case total < 15:
			return "moderate"
		case total < 20:
			return "moderately severe"
		}
		return "severe"
	case GAD7:
		if math.IsNaN(total) || total < 0 || total > 21 {
			return ""
		}
		// Spitzer et al. (2006): 0–4, 5–9, 10–14, 15–21. The Data
		// Dictionary's overlapping bands are a known error (outcomes.md).
		switch {
		case total < 5:
			return "minimal"
		case total < 10:
			return "mild"
		case total < 15:
			return "moderate"
		}
		return "severe"
	}
	return ""
}

// RiskOf is the risk level of a PHQ-9 item 9 answer (outcomes.md section 4,
// Simon et al. 2013): above 0 asks for a risk review that day, 2 or 3 is
// high priority. An unanswered item 9 is no risk recorded.
func RiskOf(item9 *int) Risk {
	switch {
	case item9 == nil || *item9 <= 0:
		return RiskNone
	case *item9 == 1:
		return RiskPresent
	}
	return RiskHigh
}

func (r Risk) String() string {
	switch r {
	case RiskPresent:
		return "present"
	case RiskHigh:
		return "high"
	}
	return "none"
}
