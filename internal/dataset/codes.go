package dataset

// Sources named beside the lists.
const (
	srcReference = "shared/reference/dataset.md"
	srcDD        = "NHS Data Dictionary"
	srcNHSESQL   = "NHS England Talking Therapies analytics SQL (referral-source labels of the LTC dashboard)"
)

// AttendOrDNA is ATTENDED OR DID NOT ATTEND (IDS201 AttendOrDNACode).
// Attended means 5 or 6 (NHS England).
var AttendOrDNA = List{
	Name:   "AttendOrDNACode",
	Source: srcDD + ", ATTENDED OR DID NOT ATTEND (" + srcReference + ")",
	Codes: []Code{
		{Code: "5", Label: "Attended on time (or before the professional was ready)"},
		{Code: "6", Label: "Arrived late but was seen"},
		{Code: "7", Label: "Arrived late and could not be seen"},
		{Code: "2", Label: "Cancelled by or on behalf of the patient"},
		{Code: "3", Label: "Did not attend, no warning"},
		{Code: "4", Label: "Cancelled or postponed by the provider"},
	},
}

// AppType is the appointment purpose (IDS201 AppType). Treatment
// appointments are 02, 03 and 05 (NHS England: AppType IN ('02','03','05')).
var AppType = List{
	Name:   "AppType",
	Source: "NHS England analytics SQL; " + srcReference,
	Codes: []Code{
		{Code: "01", Label: "Assessment"},
		{Code: "02", Label: "Treatment"},
		{Code: "03", Label: "Assessment and treatment"},
		{Code: "04", Label: "Review without treatment", ToConfirm: true},
		{Code: "05", Label: "Review and treatment"},
		{Code: "06", Label: "Follow-up after discharge"},
	},
}

// ConsMechanism is the consultation mechanism (IDS201 ConsMechanism); the
// whole list is to confirm against the Data Dictionary.
var ConsMechanism = List{
	Name:      "ConsMechanism",
	Source:    srcReference + " (to confirm against the " + srcDD + ")",
	ToConfirm: true,
	Codes: []Code{
		{Code: "01", Label: "Face to face"},
		{Code: "02", Label: "Telephone"},
		{Code: "04", Label: "Talk type for a person unable to speak"},
		{Code: "05", Label: "E-mail"},
		{Code: "09", Label: "Text message"},
		{Code: "10", Label: "Instant messaging"},
		{Code: "11", Label: "Video consultation"},
		{Code: "12", Label: "Message board"},
		{Code: "13", Label: "Chat room"},
		{Code: "98", Label: "Other"},
	},
}

// The two groups of EndCode.
const (
	SeenNotTreated = "seen, not treated"
	Treated        = "treated"
)

// EndCode is the ending of a referral (IDS101 EndCode), grouped as NHS
// England reports it.
var EndCode = List{
	Name:   "EndCode",
	Source: "NHS England analytics SQL; " + srcReference,
	Codes: []Code{
		{Code: "50", Label: "Not assessed", Group: SeenNotTreated},
		{Code: "10", Label: "Not suitable: no action, or directed back to the referrer", Group: SeenNotTreated},
		{Code: "11", Label: "Not suitable: signposted elsewhere", Group: SeenNotTreated},
		{Code: "12", Label: "Discharged by mutual agreement after advice and support", Group: SeenNotTreated},
		{Code: "13", Label: "Referred to another therapy service", Group: SeenNotTreated},
		{Code: "14", Label: "Suitable but declined treatment", Group: SeenNotTreated},
		{Code: "16", Label: "Incomplete assessment (dropped out)", Group: SeenNotTreated},
		{Code: "17", Label: "Deceased (before treatment)", Group: SeenNotTreated},
		{Code: "95", Label: "Not known (before treatment)", Group: SeenNotTreated},
		{Code: "46", Label: "Mutually agreed completion of treatment", Group: Treated},
		{Code: "47", Label: "Ended earlier than the care professional planned", Group: Treated},
		{Code: "48", Label: "Ended earlier than the patient requested", Group: Treated},
		{Code: "49", Label: "Deceased (during treatment)", Group: Treated},
		{Code: "96", Label: "Not known (during treatment)", Group: Treated},
	},
}

// Intensities of a therapy type, as the Group of TherapyType codes.
const (
	LowIntensity  = "low"
	HighIntensity = "high"
)

// TherapyType is the therapy given in a contact (IDS202
// CodeProcAndProcStatus, SNOMED CT).
var TherapyType = List{
	Name:   "CodeProcAndProcStatus",
	Source: srcReference + " (SNOMED CT)",
	Codes: []Code{
		{Code: "748051000000105", Label: "Guided self-help (book)", Group: LowIntensity},
		{Code: "748101000000105", Label: "Non-guided self-help (book)", Group: LowIntensity},
		{Code: "748041000000107", Label: "Guided self-help (computer)", Group: LowIntensity},
		{Code: "748091000000102", Label: "Non-guided self-help (computer)", Group: LowIntensity},
		{Code: "748061000000108", Label: "Structured physical activity", Group: LowIntensity},
		{Code: "702545008", Label: "Psychoeducation", Group: LowIntensity},
		{Code: "1026111000000108", Label: "Low intensity therapy", Group: LowIntensity},
		{Code: "975131000000104", Label: "Signposting", Group: LowIntensity},
		{Code: "1127281000000100", Label: "Applied relaxation", Group: HighIntensity},
		{Code: "1129471000000105", Label: "Couple therapy for depression", Group: HighIntensity},
		{Code: "314034001", Label: "Psychodynamic psychotherapy", Group: HighIntensity},
		{Code: "449030000", Label: "EMDR", Group: HighIntensity},
		{Code: "933221000000107", Label: "Mindfulness-based therapy", Group: HighIntensity},
		{Code: "1026131000000100", Label: "High intensity therapy", Group: HighIntensity},
		{Code: "304891004", Label: "Cognitive behavioural therapy (CBT)", Group: HighIntensity},
		{Code: "228557008", Label: "Cognitive and behavioural therapy", Group: HighIntensity},
		{Code: "443730003", Label: "Interpersonal psychotherapy", Group: HighIntensity},
	},
}

// DefaultTherapyType is the therapy type a contact gets when none is chosen:
// the generic low or high intensity therapy of the referral's step of care.
func DefaultTherapyType(intensity string) string {
	if intensity == HighIntensity {
		return "1026131000000100"
	}
	return "1026111000000108"
}

// QualAttainLevel is a care professional's qualification (IDS902
// QualAttainLevelIAPT).
var QualAttainLevel = List{
	Name:   "QualAttainLevelIAPT",
	Source: srcReference,
	Codes: []Code{
		{Code: "10", Label: "Psychological wellbeing practitioner (PWP)"},
		{Code: "11", Label: "CBT therapist"},
		{Code: "12", Label: "Counselling for depression"},
		{Code: "13", Label: "Couple therapy for depression"},
		{Code: "14", Label: "Dynamic interpersonal therapy (DIT)"},
		{Code: "15", Label: "Interpersonal psychotherapy (IPT)"},
		{Code: "16", Label: "Mindfulness-based cognitive therapy (MBCT)"},
		{Code: "17", Label: "EMDR"},
	},
}

// EthnicCategory is ETHNIC CATEGORY (IDS001), 2001 census categories, with
// the groups used for reporting.
var EthnicCategory = List{
	Name:   "EthnicCategory",
	Source: srcDD + ", ETHNIC CATEGORY (" + srcReference + ")",
	Codes: []Code{
		{Code: "A", Label: "White: British", Group: "White"},
		{Code: "B", Label: "White: Irish", Group: "White"},
		{Code: "C", Label: "White: any other White background", Group: "White"},
		{Code: "D", Label: "Mixed: White and Black Caribbean", Group: "Mixed"},
		{Code: "E", Label: "Mixed: White and Black African", Group: "Mixed"},
		{Code: "F", Label: "Mixed: White and Asian", Group: "Mixed"},
		{Code: "G", Label: "Mixed: any other mixed background", Group: "Mixed"},
		{Code: "H", Label: "Asian or Asian British: Indian", Group: "Asian"},
		{Code: "J", Label: "Asian or Asian British: Pakistani", Group: "Asian"},
		{Code: "K", Label: "Asian or Asian British: Bangladeshi", Group: "Asian"},
		{Code: "L", Label: "Asian or Asian British: any other Asian background", Group: "Asian"},
		{Code: "M", Label: "Black or Black British: Caribbean", Group: "Black"},
		{Code: "N", Label: "Black or Black British: African", Group: "Black"},
		{Code: "P", Label: "Black or Black British: any other Black background", Group: "Black"},
		{Code: "R", Label: "Other: Chinese", Group: "Other"},
		{Code: "S", Label: "Other: any other ethnic group", Group: "Other"},
		{Code: "Z", Label: "Not stated", Group: "Not stated or known"},
		{Code: "99", Label: "Not known", Group: "Not stated or known"},
	},
}

// GenderIdentity is GENDER IDENTITY CODE (IDS001 GenderIdentity).
var GenderIdentity = List{
	Name:   "GenderIdentity",
	Source: srcDD + ", GENDER IDENTITY CODE (" + srcReference + ")",
	Codes: []Code{
		{Code: "1", Label: "Male (including trans man)"},
		{Code: "2", Label: "Female (including trans woman)"},
		{Code: "3", Label: "Non-binary"},
		{Code: "4", Label: "Other (not listed)"},
		{Code: "X", Label: "Not known"},
		{Code: "Z", Label: "Not stated"},
	},
}

// Gender is the stated gender (IDS001 Gender).
var Gender = List{
	Name:   "Gender",
	Source: srcReference,
	Codes: []Code{
		{Code: "1", Label: "Male"},
		{Code: "2", Label: "Female"},
		{Code: "9", Label: "Indeterminate"},
		{Code: "X", Label: "Not known"},
	},
}

// EmployStatus is EMPLOYMENT STATUS (IDS004 EmployStatus).
var EmployStatus = List{
	Name:   "EmployStatus",
	Source: srcDD + ", EMPLOYMENT STATUS (" + srcReference + ")",
	Codes: []Code{
		{Code: "01", Label: "Employed"},
		{Code: "02", Label: "Unemployed and actively seeking work"},
		{Code: "03", Label: "Student"},
		{Code: "04", Label: "Long-term sick or disabled"},
		{Code: "05", Label: "Looking after the family or home"},
		{Code: "06", Label: "Not receiving benefits and not working or seeking work"},
		{Code: "07", Label: "Unpaid voluntary work"},
		{Code: "08", Label: "Retired"},
		{Code: "ZZ", Label: "Not stated"},
	},
}

// SourceOfReferral is IDS101 SourceOfReferralIAPT. The reference gives no
// list; these codes and labels are the ones NHS England's own analytics SQL
// decodes, so the list is marked to confirm against the Data Dictionary's
// SOURCE OF REFERRAL FOR MENTAL HEALTH SERVICES.
var SourceOfReferral = List{
	Name:      "SourceOfReferralIAPT",
	Source:    srcNHSESQL + "; not in " + srcReference,
	ToConfirm: true,
	Codes: []Code{
		{Code: "A1", Label: "Primary care: GP practice"},
		{Code: "A2", Label: "Primary care: health visitor"},
		{Code: "A3", Label: "Other primary health care"},
		{Code: "A4", Label: "Primary care: maternity service"},
		{Code: "B1", Label: "Self-referral"},
		{Code: "B2", Label: "Self-referral: carer or relative"},
		{Code: "C1", Label: "Local authority: social services"},
		{Code: "C2", Label: "Local authority: education service or establishment"},
		{Code: "C3", Label: "Local authority: housing service"},
		{Code: "D1", Label: "Employer"},
		{Code: "D2", Label: "Employer: occupational health"},
		{Code: "E1", Label: "Justice system: police"},
		{Code: "E2", Label: "Justice system: courts"},
		{Code: "E3", Label: "Justice system: probation service"},
		{Code: "E4", Label: "Justice system: prison"},
		{Code: "E5", Label: "Justice system: court liaison and diversion service"},
		{Code: "E6", Label: "Justice system: youth offending team"},
		{Code: "F1", Label: "Child health: school nurse"},
		{Code: "F2", Label: "Child health: hospital-based paediatrics"},
		{Code: "F3", Label: "Child health: community-based paediatrics"},
		{Code: "G1", Label: "Independent sector: medium secure inpatients"},
		{Code: "G2", Label: "Independent sector: low secure inpatients"},
		{Code: "G3", Label: "Other independent sector mental health services"},
		{Code: "G4", Label: "Voluntary sector"},
		{Code: "H1", Label: "Acute secondary care: emergency care department"},
		{Code: "H2", Label: "Other secondary care specialty"},
		{Code: "I1", Label: "Temporary transfer from another mental health NHS trust"},
		{Code: "I2", Label: "Permanent transfer from another mental health NHS trust"},
		{Code: "M1", Label: "Other: asylum services"},
		{Code: "M2", Label: "Other: telephone or electronic access service"},
		{Code: "M3", Label: "Other: out of area agency"},
		{Code: "M4", Label: "Other: drug action team or drug misuse agency"},
		{Code: "M5", Label: "Other: Jobcentre Plus"},
		{Code: "M6", Label: "Other service or agency"},
		{Code: "M7", Label: "Other: single point of access service"},
		{Code: "M8", Label: "Debt agency"},
		{Code: "N1", Label: "Stepped up from a low intensity Talking Therapies service"},
		{Code: "N2", Label: "Stepped down from a high intensity Talking Therapies service"},
		{Code: "N4", Label: "Other Talking Therapies service"},
		{Code: "P1", Label: "Internal referral"},
		{Code: "Q1", Label: "Mental health drop-in service"},
	},
}

// SexualOrientation: the reference gives no list, and IDS011 records sexual
// orientation as a SNOMED CT concept whose codes were not available here.
// These are the NHS Data Dictionary's SEXUAL ORIENTATION CODE (2015
// information standard) values, recorded as such; the whole list is to
// confirm, and the export reports every one (no SNOMED code is invented).
var SexualOrientation = List{
	Name:      "SexualOrientation",
	Source:    srcDD + ", SEXUAL ORIENTATION CODE (not in " + srcReference + "; IDS011 wants SNOMED CT)",
	ToConfirm: true,
	Codes: []Code{
		{Code: "1", Label: "Heterosexual or straight"},
		{Code: "2", Label: "Gay or lesbian"},
		{Code: "3", Label: "Bisexual"},
		{Code: "4", Label: "Other sexual orientation not listed"},
		{Code: "U", Label: "Person asked and does not know or is not sure"},
		{Code: "Z", Label: "Not stated (person asked but declined to answer)"},
		{Code: "9", Label: "Not known (not recorded)"},
	},
}

// Disability is IDS007 DisabilityCode. The reference gives no list; these
// are the NHS Data Dictionary's DISABILITY CODE values, to confirm.
var Disability = List{
	Name:      "DisabilityCode",
	Source:    srcDD + ", DISABILITY CODE (not in " + srcReference + ")",
	ToConfirm: true,
	Codes: []Code{
		{Code: "01", Label: "Behaviour and emotional"},
		{Code: "02", Label: "Hearing"},
		{Code: "03", Label: "Manual dexterity"},
		{Code: "04", Label: "Memory or ability to concentrate, learn or understand"},
		{Code: "05", Label: "Mobility and gross motor"},
		{Code: "06", Label: "Perception of physical danger"},
		{Code: "07", Label: "Personal, self care and continence"},
		{Code: "08", Label: "Progressive conditions and physical health"},
		{Code: "09", Label: "Sight"},
		{Code: "10", Label: "Speech"},
		{Code: "XX", Label: "Other"},
		{Code: "NN", Label: "No disability"},
		{Code: "ZZ", Label: "Not stated"},
	},
}

// ExBAFIndicator says whether the patient served in the British armed
// forces. The reference gives no list; the values follow the sibling Mental
// Health Services Data Set and are to confirm.
var ExBAFIndicator = List{
	Name:      "ExBAFIndicator",
	Source:    "Mental Health Services Data Set EX-BRITISH ARMED FORCES INDICATOR (not in " + srcReference + ")",
	ToConfirm: true,
	Codes: []Code{
		{Code: "Y", Label: "Yes"},
		{Code: "N", Label: "No"},
		{Code: "UNK", Label: "Not known"},
		{Code: "Z", Label: "Not stated"},
	},
}

// Assessment tools (IDS606/IDS607 CodedAssToolType): the SNOMED CT
// observable entity for each instrument's total, by clinic's instrument id.
// Only PHQ-9 and GAD-7 are confirmed; the ADSM, WSAS and phobia-scale codes
// are in NHS Digital's "IAPT v2.0 SNOMED CT Mapping", which was not
// retrievable, so they are absent (empty) and the export reports such a
// score instead of inventing a code.
var assessmentTools = map[string]string{
	"phq9":     "720433000",
	"gad7":     "445455005",
	"mi_alone": "",
	"spin":     "",
	"pdss":     "",
	"oci":      "",
	"iesr":     "",
	"hai":      "",
	"wsas":     "",
	"phobia":   "",
}

// CodedAssToolType lists the confirmed codes.
var CodedAssToolType = List{
	Name:   "CodedAssToolType",
	Source: srcReference + " (SNOMED CT observable entities)",
	Codes: []Code{
		{Code: "720433000", Label: "PHQ-9 total", Group: "phq9"},
		{Code: "445455005", Label: "GAD-7 total", Group: "gad7"},
	},
}

// AssessmentToolCode is the SNOMED CT code of an instrument's total; false
// when the instrument's code is unconfirmed or the instrument unknown.
func AssessmentToolCode(instrument string) (string, bool) {
	c := assessmentTools[instrument]
	return c, c != ""
}

// AssessmentToolInstrument is the clinic instrument a SNOMED CT code stands
// for (the import's direction); false for an unknown code.
func AssessmentToolInstrument(code string) (string, bool) {
	for id, c := range assessmentTools {
		if c != "" && c == code {
			return id, true
		}
	}
	return "", false
}
