package main

import (
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// TestBackupWhileServingAndRestore takes a backup with `clinic backup` while
// the real server is taking writes, restores it with `clinic restore` into
// the server's database, and checks that the restored server has every write
// acknowledged before the backup began and that the old file was kept.
func TestBackupWhileServingAndRestore(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a real server")
	}
	bin := clinicBinary(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "clinic.db")
	add := exec.Command(bin, "user", "add", "--db", db, "--email", "backup@example.org", "--name", "Bo Backup", "--role", "therapist", "--team", "Backups")
	add.Stdin = strings.NewReader("a long enough pass phrase\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	tok, err := exec.Command(bin, "token", "create", "--db", db, "--email", "backup@example.org").Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}
	p := startProcess(t, bin, db)
	c := apiClient{base: p.URL, token: strings.TrimSpace(string(tok)), http: &http.Client{Timeout: 10 * time.Second}}

	var patient struct{ ID int64 }
	if _, err := c.do("POST", "/api/v1/patients", map[string]any{"name": "Pat Backup", "date_of_birth": "1975-06-07"}, &patient); err != nil {
		t.Fatal(err)
	}
	newReferral := func() (int64, error) {
		var r struct{ ID int64 }
		_, err := c.do("POST", "/api/v1/referrals", map[string]any{"patient_id": patient.ID, "received_on": "2026-01-05", "problem_descriptor": "F32", "intensity": "low"}, &r)
		return r.ID, err
	}
	var before []int64
	for i := 0; i < 20; i++ {
		id, err := newReferral()
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, id)
	}

	// Keep writing while the backup runs.
	var stop atomic.Bool
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 500 && !stop.Load(); i++ {
			_, _ = newReferral()
		}
	}()
	backup := filepath.Join(dir, "backup.db")
	out, err := exec.Command(bin, "backup", "--db", db, "--to", backup).CombinedOutput()
	stop.Store(true)
	wg.Wait()
	if err != nil {
		t.Fatalf("clinic backup: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "integrity checked") {
		t.Errorf("backup output: %s", out)
	}
	if out, err := exec.Command(bin, "backup", "--db", db, "--to", backup).CombinedOutput(); err == nil {
		t.Errorf("a second backup over the same file succeeded: %s", out)
	}

	// Write one more referral after the backup: the restore must roll it back.
	after, err := newReferral()
	if err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	_ = p.cmd.Wait()

	out, err = exec.Command(bin, "restore", "--db", db, "--from", backup).CombinedOutput()
	if err != nil {
		t.Fatalf("clinic restore: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "kept as") {
		t.Errorf("restore did not say where the replaced database was kept: %s", out)
	}
	kept, _ := filepath.Glob(db + ".before-restore-*")
	if len(kept) != 1 {
		t.Fatalf("replaced database kept as %v, want one file", kept)
	}

	p2 := startProcess(t, bin, db)
	c.base = p2.URL
	for _, id := range before {
		if _, err := c.do("GET", fmt.Sprintf("/api/v1/referrals/%d", id), nil, nil); err != nil {
			t.Errorf("referral %d, written before the backup, missing after restore: %v", id, err)
		}
	}
	if code, _ := c.do("GET", fmt.Sprintf("/api/v1/referrals/%d", after), nil, nil); code != http.StatusNotFound {
		t.Errorf("referral %d, written after the backup, answered %d after restore; want 404", after, code)
	}

	// The kept file still has the later write.
	_ = p2.cmd.Process.Signal(syscall.SIGTERM)
	_ = p2.cmd.Wait()
	p3 := startProcess(t, bin, kept[0])
	c.base = p3.URL
	if _, err := c.do("GET", fmt.Sprintf("/api/v1/referrals/%d", after), nil, nil); err != nil {
		t.Errorf("the kept pre-restore database lost referral %d: %v", after, err)
	}
}
