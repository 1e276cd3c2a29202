package dataset

// Table is an IDS table as clinic writes and reads it: one CSV file named
// after the table, with these columns in this order.
type Table struct {
	Name    string // "IDS101", the file is IDS101.csv
	Title   string
	Columns []string
	// ToConfirm lists the columns whose names are modelled on the Mental
	// Health Services Data Set and not seen in NHS England's Talking
	// Therapies code (the reference's †): to confirm against the IDB
	// template.
	ToConfirm []string
}

// Index is the position of a column, -1 when the table has none by that name.
func (t Table) Index(column string) int {
	for i, c := range t.Columns {
		if c == column {
			return i
		}
	}
	return -1
}

// The IDS tables, columns named and ordered as in shared/reference/dataset.md
// ("Tables"). Local columns clinic adds so that records can be traced (the
// patient's local id on each patient-level table, the referral's on each
// referral-level one) follow NHS England's extracts, which carry
// LocalPatientId and ServiceRequestId on every child table.
var (
	IDS000 = Table{
		Name:  "IDS000",
		Title: "Header",
		Columns: []string{"DataSetVersion", "OrgIDProvider", "OrgIDSubmitting",
			"PrimSystemInUse", "ReportingPeriodStartDate", "ReportingPeriodEndDate", "DateTimeDatSetCreate"},
		ToConfirm: []string{"DataSetVersion", "OrgIDProvider", "OrgIDSubmitting", "PrimSystemInUse", "DateTimeDatSetCreate"},
	}
	IDS001 = Table{
		Name:  "IDS001",
		Title: "Master patient index",
		Columns: []string{"LocalPatientId", "OrgIDLocalPatientId", "NHSNumber", "NHSNumberStatus",
			"PersonBirthDate", "Postcode", "Gender", "GenderIdentity", "GenderSameAtBirth",
			"EthnicCategory", "LanguageCodePreferred", "ExBAFIndicator"},
		ToConfirm: []string{"OrgIDLocalPatientId", "NHSNumber", "NHSNumberStatus", "PersonBirthDate",
			"Postcode", "Gender", "GenderSameAtBirth", "LanguageCodePreferred", "ExBAFIndicator"},
	}
	IDS002 = Table{
		Name:      "IDS002",
		Title:     "GP practice registration",
		Columns:   []string{"LocalPatientId", "GMPCodeReg", "StartDateGMPRegistration", "EndDateGMPRegistration"},
		ToConfirm: []string{"GMPCodeReg", "StartDateGMPRegistration", "EndDateGMPRegistration"},
	}
	IDS004 = Table{
		Name:  "IDS004",
		Title: "Employment status",
		Columns: []string{"LocalPatientId", "EmployStatus", "EmployStatusRecDate", "WeekHoursWorked",
			"SelfEmployInd", "SickAbsenceInd", "SSPInd", "BenefitRecInd", "UCInd", "PIPInd", "ESAInd",
			"EmpSupportInd", "EmpSupportReferral", "EmpSupportDischargeDate"},
	}
	IDS007 = Table{
		Name:      "IDS007",
		Title:     "Disability",
		Columns:   []string{"LocalPatientId", "DisabilityCode"},
		ToConfirm: []string{"DisabilityCode"},
	}
	IDS011 = Table{
		Name:    "IDS011",
		Title:   "Social and personal circumstances",
		Columns: []string{"LocalPatientId", "SocPerCircumstance", "SocPerCircumstanceRecDate"},
	}
	IDS101 = Table{
		Name:  "IDS101",
		Title: "Referral",
		Columns: []string{"ServiceRequestId", "LocalPatientId", "ReferralRequestReceivedDate",
			"SourceOfReferralIAPT", "ServDischDate", "EndCode", "IAPTLTCServiceInd", "PrevDiagCondInd"},
		ToConfirm: []string{"PrevDiagCondInd"},
	}
	IDS201 = Table{
		Name:  "IDS201",
		Title: "Care contact",
		Columns: []string{"CareContactId", "ServiceRequestId", "CareContDate", "CareContTime",
			"AttendOrDNACode", "AppType", "ConsMechanism", "ClinContDurOfCareCont",
			"PlannedCareContIndicator", "LanguageCodeTreat", "InterpreterPresentInd", "CareProfLocalId"},
		ToConfirm: []string{"CareContTime", "CareProfLocalId"},
	}
	IDS202 = Table{
		Name:      "IDS202",
		Title:     "Care activity",
		Columns:   []string{"CareActId", "CareContactId", "CodeProcAndProcStatus", "ClinContactDurOfCareAct"},
		ToConfirm: []string{"CareActId"},
	}
	IDS602 = Table{
		Name:      "IDS602",
		Title:     "Long-term physical health condition",
		Columns:   []string{"LocalPatientId", "LongTermConditionCode", "DiagDate"},
		ToConfirm: []string{"LongTermConditionCode", "DiagDate"},
	}
	IDS603 = Table{
		Name:  "IDS603",
		Title: "Presenting complaints",
		Columns: []string{"ServiceRequestId", "PresComp", "PresCompCodSig", "PrimaryPresCompInd",
			"PresCompDate"},
		ToConfirm: []string{"PresComp", "PresCompCodSig", "PrimaryPresCompInd", "PresCompDate"},
	}
	IDS606 = Table{
		Name:  "IDS606",
		Title: "Coded scored assessment (referral)",
		Columns: []string{"ServiceRequestId", "CodedAssToolType", "PersScore", "AssToolCompDate",
			"AssToolCompTime"},
	}
	IDS607 = Table{
		Name:  "IDS607",
		Title: "Coded scored assessment (care activity)",
		Columns: []string{"CareActId", "CodedAssToolType", "PersScore", "AssToolCompDate",
			"AssToolCompTime"},
	}
	IDS902 = Table{
		Name:      "IDS902",
		Title:     "Care professional",
		Columns:   []string{"CareProfLocalId", "QualAttainLevelIAPT"},
		ToConfirm: []string{"CareProfLocalId"},
	}
)

// Tables are every IDS table clinic writes, in the order of the reference.
func Tables() []Table {
	return []Table{IDS000, IDS001, IDS002, IDS004, IDS007, IDS011, IDS101,
		IDS201, IDS202, IDS602, IDS603, IDS606, IDS607, IDS902}
}
