package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
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
	if !regexp.MustCompile(`server: [1-9]\d* commits, \d+ of them 5ms or longer, the longest \S+`).MatchString(out.String()) {
		t.Errorf("no server commit times in:\n%s", out.String())
	}
	if !strings.Contains(out.String(), "failed requests: 0; server ERROR log lines: 0") {
		t.Errorf("failures in:\n%s", out.String())
	}
}

func TestParseConfigBounds(t *testing.T) {
	for _, args := range [][]string{
		{"--concurrency", "0"}, {"--concurrency", "10000"}, {"--duration", "1h"},
		{"--referrals", "0"}, {"--mix", "save=1"}, {"--mix", "trivial=1,nope=2"}, {"--requests", "-1"},
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

// --only keeps the national steps whose names start with its words, and the
// trivial page; a word that names no step is refused.
func TestParseConfigOnly(t *testing.T) {
	cfg, err := parseConfig([]string{"--only", "review"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, st := range cfg.steps {
		names = append(names, st.name)
	}
	want := []string{"trivial", "review page (cold start)", "review page (warm)", "trivial"}
	if strings.Join(names, "|") != strings.Join(want, "|") {
		t.Errorf("--only review: steps %q, want %q", names, want)
	}
	if cfg, err := parseConfig(nil, io.Discard); err != nil || len(cfg.steps) != len(nationalSteps) {
		t.Errorf("no --only: %d steps (%v), want all %d", len(cfg.steps), err, len(nationalSteps))
	}
	if cfg, err := parseConfig([]string{"--only", "report API, review"}, io.Discard); err != nil || len(cfg.steps) != 6 {
		t.Errorf("--only report API, review: %d steps (%v), want 6", len(cfg.steps), err)
	}
	if _, err := parseConfig([]string{"--only", "reviews"}, io.Discard); err == nil {
		t.Error("--only reviews (no such step) accepted")
	}
}
