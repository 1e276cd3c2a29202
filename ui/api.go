package ui

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
)

// maxJSONBody bounds a JSON request body (as BodyLimit does for the whole
// server; kept here too so the decoder never reads more).
const maxJSONBody = 1 << 20

// decodeJSON reads exactly one JSON value into v, refusing unknown fields,
// and turns every decoding failure into a 400 naming the field where it can.
func decodeJSON(c echo.Context, v any) error {
	if ct := c.Request().Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return apiErr(http.StatusUnsupportedMediaType, "send the request body as application/json", "")
	}
	body := http.MaxBytesReader(c.Response(), c.Request().Body, maxJSONBody)
	data, err := io.ReadAll(body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return apiErr(http.StatusRequestEntityTooLarge, "the request body is larger than 1 MiB", "")
		}
		return apiErr(http.StatusBadRequest, "the request body could not be read", "")
	}
	return decodeStrict(data, v, "")
}

// decodeStrict decodes data into v. prefix names where data sits in the
// request ("scores.phq9.") so that errors name the full field.
func decodeStrict(data []byte, v any, prefix string) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return apiErr(http.StatusBadRequest, "the request body is empty: send a JSON object", strings.TrimSuffix(prefix, "."))
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err, prefix)
	}
	if _, err := dec.Token(); err != io.EOF {
		return apiErr(http.StatusBadRequest, "malformed JSON: more than one value in the body", strings.TrimSuffix(prefix, "."))
	}
	return nil
}

func jsonError(err error, prefix string) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return apiErr(http.StatusBadRequest, fmt.Sprintf("malformed JSON at byte %d", se.Offset), strings.TrimSuffix(prefix, "."))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apiErr(http.StatusBadRequest, "malformed JSON: the body ends too soon", strings.TrimSuffix(prefix, "."))
	case errors.As(err, &te):
		field := prefix + te.Field
		if te.Field == "" {
			field = strings.TrimSuffix(prefix, ".")
			return apiErr(http.StatusBadRequest, fmt.Sprintf("expected %s, got %s", jsonKind(te.Type.String()), te.Value), field)
		}
		return apiErr(http.StatusBadRequest, fmt.Sprintf("%s must be %s, not %s", field, jsonKind(te.Type.String()), te.Value), field)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		field := prefix + strings.Trim(name, `"`)
		return apiErr(http.StatusBadRequest, fmt.Sprintf("unknown field %s", field), field)
	}
	return apiErr(http.StatusBadRequest, "malformed JSON", strings.TrimSuffix(prefix, "."))
}

// jsonKind names a Go type as JSON does.
func jsonKind(goType string) string {
	switch {
	case goType == "string":
		return "a string"
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	case strings.HasPrefix(goType, "map"), strings.Contains(goType, "."):
		return "an object"
	}
	return goType
}
