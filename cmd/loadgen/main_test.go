package main

import (
	"bytes"
	"context"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestLoadgenTinyService runs the load tool for a second against the real
// server on a tiny synthetic service, so that it cannot rot: every kind of
// request answers as expected and is reported beside the trivial page.
func TestLoadgenTinyService(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the server binary")
	}
	var out bytes.Buffer
	err := run(context.Background(), []string{"--referrals", "300", "--concurrency", "2", "--duration", "1s",
		"--mix", "trivial=1,save=1,read=1,caseload=1,review=1,report=1"}, &out, io.Discard)
	if err != nil {
		t.Fatalf("loadgen: %v\n%s", err, out.String())
	}
	for _, k := range kinds {
		if !regexp.MustCompile(`(?m)^` + k + `\s+[1-9]\d*\s+\d+\.\d+ms`).MatchString(out.String()) {
			t.Errorf("no latencies for %s in:\n%s", k, out.String())
		}
	}
	if !regexp.MustCompile(`server VmHWM: [1-9][\d.]* MB`).MatchString(out.String()) {
		t.Errorf("no server memory in:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "failed requests: 0; server ERROR log lines: 0") {
		t.Errorf("failures in:\n%s", out.String())
	}
}

func TestParseConfigBounds(t *testing.T) {
	for _, args := range [][]string{
		{"--concurrency", "0"}, {"--concurrency", "10000"}, {"--duration", "1h"},
		{"--referrals", "0"}, {"--mix", "save=1"}, {"--mix", "trivial=1,nope=2"}, {"--requests", "-1"},
		{"--only", "report"}, {"--only", "report-api,"},
	} {
		if _, err := parseConfig(args, io.Discard); err == nil {
			t.Errorf("parseConfig(%q) accepted", args)
		}
	}
	cfg, err := parseConfig([]string{"--mix", "trivial=1,save=3"}, io.Discard)
	if err != nil || cfg.mix["save"] != 3 || cfg.mix["read"] != 0 {
		t.Errorf("parseConfig mix = %v, %v", cfg.mix, err)
	}
}

// --only chooses the national steps of its kinds, with the trivial page
// beside them always.
func TestOnlyChoosesNationalSteps(t *testing.T) {
	cfg, err := parseConfig([]string{"--national", "--only", "report-api,review"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, st := range chosenSteps(cfg.only) {
		kinds[st.kind]++
	}
	if want := map[string]int{"trivial": 2, "report-api": 2, "review": 2}; !maps.Equal(kinds, want) {
		t.Errorf("steps by kind = %v, want %v", kinds, want)
	}
	if all := chosenSteps(nil); len(all) != len(nationalSteps) {
		t.Errorf("no --only chose %d of %d steps", len(all), len(nationalSteps))
	}
	for _, st := range nationalSteps {
		if !slices.Contains(stepKinds, st.kind) {
			t.Errorf("step %q has kind %q, not one --only can choose", st.name, st.kind)
		}
	}
}
