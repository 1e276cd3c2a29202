package ui

import (
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"clinic/internal/caseload"
	"clinic/internal/password"
)

// apiError is an error with a status and a message fit to show a client, and
// the field at fault when there is one.
type apiError struct {
	Status  int
	Message string
	Field   string
	// Href and HrefText, when set, give browsers a way forward on the error
	// page (JSON answers carry the message only).
	Href, HrefText string
}

func (e *apiError) Error() string { return e.Message }

func apiErr(status int, msg, field string) error {
	return &apiError{Status: status, Message: msg, Field: field}
}

// errEnded refuses a change to a referral that has ended.
var errEnded = apiErr(http.StatusConflict, "This referral has ended.", "")

// errorPage is the page shown to browsers for an error.
type errorPage struct {
	basePage
	Status         int
	Heading        string
	Message        string
	Href, HrefText string // a way forward, when the error has one
}

// handleError is the one place errors become responses: JSON for the API,
// an HTML page for browsers. Internal failures are logged and never shown.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	status, msg, field := s.classify(err, c)
	if s.answersJSON(c) {
		body := map[string]string{"error": msg}
		if field != "" {
			body["field"] = field
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(status)
			return
		}
		_ = c.JSON(status, body)
		return
	}
	p := errorPage{Status: status, Message: msg}
	switch status {
	case http.StatusNotFound:
		p.Heading = "Page not found"
		p.Message = "If you typed the web address, check it is correct. If you followed a link to a patient's record, it may not be on a caseload you can see."
	case http.StatusForbidden:
		p.Heading = "You cannot do this"
	case http.StatusInternalServerError:
		p.Heading = "Sorry, there is a problem with the service"
		p.Message = "Try again later. Nothing you entered was saved unless the page said so."
	default:
		p.Heading = http.StatusText(status)
	}
	if ae := (*apiError)(nil); errors.As(err, &ae) {
		p.Href, p.HrefText = ae.Href, ae.HrefText
	}
	p.basePage = s.base(c, p.Heading)
	if err := s.render(c, status, "error.html", &p); err != nil {
		s.log.Error("render error page", "err", err)
		_ = c.String(status, p.Heading)
	}
}

// classify turns an error into a status and a message that is safe to show.
func (s *Server) classify(err error, c echo.Context) (status int, msg, field string) {
	var ae *apiError
	var ve *caseload.ValidationError
	var he *echo.HTTPError
	switch {
	case errors.As(err, &ae):
		return ae.Status, ae.Message, ae.Field
	case errors.As(err, &ve):
		field, msg = firstFieldError(ve.Fields)
		return http.StatusUnprocessableEntity, msg, field
	case errors.Is(err, caseload.ErrNotFound):
		return http.StatusNotFound, "not found", ""
	case errors.Is(err, caseload.ErrConflict):
		return http.StatusConflict, "this conflicts with a record that already exists", ""
	case errors.Is(err, password.ErrBusy):
		c.Response().Header().Set("Retry-After", retryAfterBusy)
		return http.StatusServiceUnavailable, busyMessage, ""
	case errors.As(err, &he):
		if he.Code >= 500 {
			break
		}
		if he.Code == http.StatusRequestEntityTooLarge {
			// From the body limit, before any handler ran.
			return he.Code, "The request is larger than 1 MiB, more than clinic accepts. Nothing was saved.", ""
		}
		if m, ok := he.Message.(string); ok {
			return he.Code, m, ""
		}
		return he.Code, strings.ToLower(http.StatusText(he.Code)), ""
	}
	s.log.Error("request failed", "method", c.Request().Method, "path", c.Request().URL.Path, "err", err)
	return http.StatusInternalServerError, "internal error", ""
}

// firstFieldError picks one field's message, in a stable order, for the
// API's single-field error shape.
func firstFieldError(fields map[string]string) (field, msg string) {
	keys := slices.Sorted(maps.Keys(fields))
	if len(keys) == 0 {
		return "", "invalid input"
	}
	return keys[0], fields[keys[0]]
}
