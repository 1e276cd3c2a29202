package fhir

import "clinic/internal/measures"

// Code systems and identifier systems, as FHIR R4 names them.
const (
	SystemLOINC     = "http://loinc.org"
	SystemSNOMED    = "http://snomed.info/sct"
	SystemNHSNumber = "https://fhir.nhs.uk/Id/nhs-number" // UK Core: the NHS number identifier
	SystemUCUM      = "http://unitsofmeasure.org"

	systemObservationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
	systemInterpretation      = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
)

// UK Core profiles (FHIR 4.0.1) that clinic's resources claim (issue 18).
const (
	ProfilePatient               = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
	ProfileObservation           = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Observation"
	ProfileQuestionnaireResponse = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-QuestionnaireResponse"
)

// instrumentCodes are one instrument's codes. An empty code is one that is
// not confirmed: it is left out, never guessed, and the resource's text says
// so (codeNote).
type instrumentCodes struct {
	// TotalSNOMED is the SNOMED CT observable entity of the total (the IAPT
	// data set's CodedAssToolType).
	TotalSNOMED string
	// TotalLOINC is the LOINC code of the total score.
	TotalLOINC string
	// Questionnaire is the LOINC Questionnaire canonical of the panel.
	Questionnaire string
	// Items are the LOINC codes of the items, in order (item 1 first).
	Items []string
	// Ignored are other items of the LOINC panel that may arrive in a
	// QuestionnaireResponse and are not part of the score (PHQ-9's
	// difficulty question, a total an app worked out itself).
	Ignored []string
	// codeNote says what is missing, for the code's text.
	codeNote string
}

// codes are the instruments' codes. Sources: issue 18 and
// shared/reference/dataset.md ("CodedAssToolType"): PHQ-9 panel LOINC
// 44249-1, total 44261-6, SNOMED total 720433000; GAD-7 panel 69737-5, total
// 70274-6, SNOMED total 445455005; Questionnaire canonicals
// http://loinc.org/q/<panel>. The ADSM, WSAS and phobia-scale codes are in
// NHS Digital's "IAPT v2.0 SNOMED CT Mapping", not retrievable here: to
// confirm, so those totals go out with text only. A service corrects a code
// here, in one place.
var codes = map[measures.InstrumentID]instrumentCodes{
	measures.PHQ9: {
		TotalSNOMED:   "720433000",
		TotalLOINC:    "44261-6",
		Questionnaire: "http://loinc.org/q/44249-1",
		Items:         []string{"44250-9", "44255-8", "44259-0", "44254-1", "44251-7", "44258-2", "44252-5", "44253-3", "44260-8"},
		Ignored:       []string{"69722-7", "44261-6"}, // difficulty; total
	},
	measures.GAD7: {
		TotalSNOMED:   "445455005",
		TotalLOINC:    "70274-6",
		Questionnaire: "http://loinc.org/q/69737-5",
		Items:         []string{"69725-0", "68509-9", "69733-4", "69734-2", "69735-9", "69689-8", "69736-7"},
		Ignored:       []string{"70274-6"}, // total
	},
	measures.MIAlone: {codeNote: unconfirmed},
	measures.SPIN:    {codeNote: unconfirmed},
	measures.PDSS:    {codeNote: unconfirmed},
	measures.OCI:     {codeNote: unconfirmed},
	measures.IESR:    {codeNote: unconfirmed},
	measures.HAI:     {codeNote: unconfirmed},
	measures.WSAS:    {codeNote: unconfirmed},
	measures.Phobia:  {codeNote: unconfirmed},
}

const unconfirmed = "not coded: its SNOMED CT code is to confirm against NHS Digital's IAPT v2.0 SNOMED CT Mapping"

// frequencyAnswers are the LOINC answer codes of PHQ-9 and GAD-7 items, for
// answers 0–3 (LOINC answer list LL358-3: "Not at all", "Several days",
// "More than half the days", "Nearly every day"). Source: issue 18.
var frequencyAnswers = []string{"LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"}

// codesFor returns an instrument's codes; the zero value (nothing coded)
// for an instrument missing from the table.
func codesFor(id measures.InstrumentID) instrumentCodes {
	c, ok := codes[id]
	if !ok {
		return instrumentCodes{codeNote: unconfirmed}
	}
	return c
}

// answerValue is the 0–3 value of a LOINC answer code.
func answerValue(code string) (int, bool) {
	for v, c := range frequencyAnswers {
		if c == code {
			return v, true
		}
	}
	return 0, false
}
