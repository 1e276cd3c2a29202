// Package fhir maps clinic's records to and from HL7 FHIR R4 (4.0.1), as
// used by NHS systems through the UK Core profiles: a referral's patient,
// questionnaire answers and total scores out as a Bundle, and PHQ-9 or GAD-7
// answers in from a QuestionnaireResponse.
//
// The R4 types here are a small hand-written subset: only the elements
// clinic writes or reads, with R4's JSON names and rules (omitted when
// empty, dates as YYYY-MM-DD). Tests check every resource written against
// the official R4 JSON schema. Codes live in codes.go with their sources;
// clinical judgements (caseness, scoring, pro-rating) are taken from
// internal/measures, never worked out here.
package fhir

// Meta is Resource.meta: here only the profiles a resource claims.
type Meta struct {
	Profile []string `json:"profile,omitempty"`
}

// Coding is a code in a code system.
type Coding struct {
	System  string `json:"system,omitempty"`
	Code    string `json:"code,omitempty"`
	Display string `json:"display,omitempty"`
}

// CodeableConcept is codings with a text for people.
type CodeableConcept struct {
	Coding []Coding `json:"coding,omitempty"`
	Text   string   `json:"text,omitempty"`
}

// Identifier is a business identifier, such as an NHS number.
type Identifier struct {
	System string `json:"system,omitempty"`
	Value  string `json:"value,omitempty"`
}

// Reference points at another resource, in the Bundle or elsewhere.
type Reference struct {
	Reference  string      `json:"reference,omitempty"`
	Type       string      `json:"type,omitempty"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Display    string      `json:"display,omitempty"`
}

// HumanName is a person's name. clinic keeps a name as one string, so it
// goes out as text only rather than being split by guesswork.
type HumanName struct {
	Use  string `json:"use,omitempty"`
	Text string `json:"text,omitempty"`
}

// Quantity is a measured amount with a UCUM unit.
type Quantity struct {
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	System string  `json:"system,omitempty"`
	Code   string  `json:"code,omitempty"`
}

// Annotation is a note.
type Annotation struct {
	Text string `json:"text"`
}

// Patient is the R4 Patient resource (UKCore-Patient).
type Patient struct {
	ResourceType string       `json:"resourceType"`
	ID           string       `json:"id,omitempty"`
	Meta         *Meta        `json:"meta,omitempty"`
	Identifier   []Identifier `json:"identifier,omitempty"`
	Name         []HumanName  `json:"name,omitempty"`
	BirthDate    string       `json:"birthDate,omitempty"`
}

// Practitioner is the R4 Practitioner resource: whoever recorded answers in
// a session.
type Practitioner struct {
	ResourceType string      `json:"resourceType"`
	ID           string      `json:"id,omitempty"`
	Name         []HumanName `json:"name,omitempty"`
}

// QuestionnaireResponse is the R4 QuestionnaireResponse resource
// (UKCore-QuestionnaireResponse).
type QuestionnaireResponse struct {
	ResourceType  string     `json:"resourceType"`
	ID            string     `json:"id,omitempty"`
	Meta          *Meta      `json:"meta,omitempty"`
	Questionnaire string     `json:"questionnaire,omitempty"`
	Status        string     `json:"status"`
	Subject       *Reference `json:"subject,omitempty"`
	Authored      string     `json:"authored,omitempty"`
	Source        *Reference `json:"source,omitempty"`
	Item          []QRItem   `json:"item,omitempty"`
}

// QRItem is QuestionnaireResponse.item.
type QRItem struct {
	LinkID string     `json:"linkId"`
	Text   string     `json:"text,omitempty"`
	Answer []QRAnswer `json:"answer,omitempty"`
	Item   []QRItem   `json:"item,omitempty"`
}

// QRAnswer is QuestionnaireResponse.item.answer. Answers go out as
// valueCoding; valueInteger is read too, as some apps send the number.
type QRAnswer struct {
	ValueCoding  *Coding `json:"valueCoding,omitempty"`
	ValueInteger *int    `json:"valueInteger,omitempty"`
}

// Observation is the R4 Observation resource (UKCore-Observation): one total
// score.
type Observation struct {
	ResourceType      string            `json:"resourceType"`
	ID                string            `json:"id,omitempty"`
	Meta              *Meta             `json:"meta,omitempty"`
	Status            string            `json:"status"`
	Category          []CodeableConcept `json:"category,omitempty"`
	Code              CodeableConcept   `json:"code"`
	Subject           *Reference        `json:"subject,omitempty"`
	EffectiveDateTime string            `json:"effectiveDateTime,omitempty"`
	Performer         []Reference       `json:"performer,omitempty"`
	ValueInteger      *int              `json:"valueInteger,omitempty"`
	ValueQuantity     *Quantity         `json:"valueQuantity,omitempty"`
	Interpretation    []CodeableConcept `json:"interpretation,omitempty"`
	Note              []Annotation      `json:"note,omitempty"`
	DerivedFrom       []Reference       `json:"derivedFrom,omitempty"`
}

// Bundle is the R4 Bundle resource; clinic writes collections.
type Bundle struct {
	ResourceType string        `json:"resourceType"`
	ID           string        `json:"id,omitempty"`
	Meta         *BundleMeta   `json:"meta,omitempty"`
	Type         string        `json:"type"`
	Timestamp    string        `json:"timestamp,omitempty"`
	Entry        []BundleEntry `json:"entry,omitempty"`
}

// BundleMeta is a Bundle's meta: when it was made.
type BundleMeta struct {
	LastUpdated string `json:"lastUpdated,omitempty"`
}

// BundleEntry is one resource of a Bundle with its full URL.
type BundleEntry struct {
	FullURL  string `json:"fullUrl"`
	Resource any    `json:"resource"`
}
