package ui

import (
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
)

// The JSON API's risk alerts (issue 11; docs/api.md).

type riskAlertJSON struct {
	ID             int64      `json:"id"`
	ReferralID     int64      `json:"referral_id"`
	Source         string     `json:"source"` // "session" or "patient"
	AnsweredOn     string     `json:"answered_on"`
	AnsweredAt     *time.Time `json:"answered_at"` // when the patient sent their answers; null for a session
	Item9          int        `json:"item9"`
	Priority       string     `json:"priority"` // "high" (2 or 3) or "standard" (1)
	OpenedAt       time.Time  `json:"opened_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
	AcknowledgedBy *int64     `json:"acknowledged_by"`
	Note           *string    `json:"note"`
}

func newRiskAlertJSON(a caseload.RiskAlert) riskAlertJSON {
	out := riskAlertJSON{ID: a.ID, ReferralID: a.ReferralID, Source: a.Source, AnsweredOn: a.AnsweredOn, Item9: a.Item9,
		Priority: a.Priority, OpenedAt: a.OpenedAt.UTC()}
	if !a.AnsweredAt.IsZero() {
		t := a.AnsweredAt.UTC()
		out.AnsweredAt = &t
	}
	if !a.Open() {
		t, by, note := a.AcknowledgedAt.UTC(), a.AcknowledgedBy, a.AckNote
		out.AcknowledgedAt, out.AcknowledgedBy, out.Note = &t, &by, &note
	}
	return out
}

// apiRiskAlerts lists the open alerts the token's user may see (their duty
// list's), high priority first, then the longest waiting.
func (s *Server) apiRiskAlerts(c echo.Context) error {
	u, _ := currentUser(c)
	f, ok := dutyScope(u)
	if !ok {
		return apiErr(http.StatusForbidden, "only clinicians who hold or supervise caseloads see risk alerts", "")
	}
	f.OpenOnly = true
	alerts, err := s.store.RiskAlerts(c.Request().Context(), f)
	if err != nil {
		return err
	}
	out := make([]riskAlertJSON, 0, len(alerts))
	var ids []int64
	for _, a := range alerts {
		out = append(out, newRiskAlertJSON(a))
		ids = append(ids, a.ReferralID)
	}
	if err := s.recordListView(c, u, "api_risk_alerts", ids); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"risk_alerts": out})
}

type riskAckRequest struct {
	Note string `json:"note"`
}

// apiRiskAlertAck closes an alert with a note: 422 for an empty note, 404
// for an alert the user may not see, 409 when already acknowledged.
func (s *Server) apiRiskAlertAck(c echo.Context) error {
	u, a, err := s.alertFor(c)
	if err != nil {
		return err
	}
	if !canAcknowledgeRiskAlert(u, a) {
		return apiErr(http.StatusForbidden, "only the referral's clinicians acknowledge its risk alerts", "")
	}
	var req riskAckRequest
	if err := decodeJSON(c, &req); err != nil {
		return err
	}
	done, err := s.store.AcknowledgeRiskAlert(c.Request().Context(), u, a.ID, req.Note)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, newRiskAlertJSON(done))
}
