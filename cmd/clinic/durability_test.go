package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// buildBinary compiles cmd/clinic once for the tests that need a real process.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func clinicBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "clinic-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "clinic")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// process is a clinic server running as its own process.
type process struct {
	cmd *exec.Cmd
	URL string
}

var listenLine = regexp.MustCompile(`running at (http://\S+?)/? `)

func startProcess(t *testing.T, bin, db string) *process {
	t.Helper()
	cmd := exec.Command(bin, "--addr", "127.0.0.1:0", "--db", db)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := listenLine.FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
	}()
	select {
	case u := <-urls:
		return &process{cmd: cmd, URL: strings.TrimSuffix(u, "/")}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start within 30 s")
	}
	return nil
}

type apiClient struct {
	base, token string
	http        *http.Client
}

func (c apiClient) do(method, path string, body any, out any) (int, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("decode %s: %w", b, err)
		}
	}
	if resp.StatusCode >= 300 {
		return resp.StatusCode, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
	}
	return resp.StatusCode, nil
}

// TestNoAcknowledgedWriteIsLost streams API writes at the real server, kills
// it with SIGKILL mid-stream, restarts it and checks that every write it
// answered 2xx is there and that the database is intact.
func TestNoAcknowledgedWriteIsLost(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real server")
	}
	bin := clinicBinary(t)
	db := filepath.Join(t.TempDir(), "clinic.db")

	add := exec.Command(bin, "user", "add", "--db", db, "--email", "kill@example.org", "--name", "Kim Test", "--role", "therapist", "--team", "Durability")
	add.Stdin = strings.NewReader("a long enough pass phrase\n")
	if out, err := add.CombinedOutput(); err != nil {
		t.Fatalf("user add: %v\n%s", err, out)
	}
	tok, err := exec.Command(bin, "token", "create", "--db", db, "--email", "kill@example.org").Output()
	if err != nil {
		t.Fatalf("token create: %v", err)
	}

	p := startProcess(t, bin, db)
	c := apiClient{base: p.URL, token: strings.TrimSpace(string(tok)), http: &http.Client{Timeout: 10 * time.Second}}

	var patient struct{ ID int64 }
	if _, err := c.do("POST", "/api/v1/patients", map[string]any{"name": "Pat Durable", "date_of_birth": "1980-02-03"}, &patient); err != nil {
		t.Fatal(err)
	}
	received := time.Now().UTC().AddDate(-1, 0, 0).Format("2006-01-02")
	var referral struct{ ID int64 }
	if _, err := c.do("POST", "/api/v1/referrals", map[string]any{"patient_id": patient.ID, "received_on": received, "problem_descriptor": "F41.1", "intensity": "high"}, &referral); err != nil {
		t.Fatal(err)
	}

	// Writers: each posts contacts (with scores) and new referrals until the
	// server dies, remembering what was acknowledged. Bounded in count and time.
	var (
		mu        sync.Mutex
		contacts  = map[int64]bool{}
		referrals = map[int64]bool{}
		wg        sync.WaitGroup
		stop      = make(chan struct{})
	)
	deadline := time.Now().Add(20 * time.Second)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 2000 && time.Now().Before(deadline); i++ {
				select {
				case <-stop:
					return
				default:
				}
				if i%5 == 4 {
					var r struct{ ID int64 }
					if _, err := c.do("POST", "/api/v1/referrals", map[string]any{"patient_id": patient.ID, "received_on": received, "problem_descriptor": "F32", "intensity": "low"}, &r); err == nil {
						mu.Lock()
						referrals[r.ID] = true
						mu.Unlock()
					}
					continue
				}
				day := time.Now().UTC().AddDate(0, 0, -((w*2000 + i) % 300)).Format("2006-01-02")
				body := map[string]any{
					"date": day, "kind": "treatment", "attendance": "attended",
					"scores": map[string]any{
						"phq9": map[string]any{"items": []int{1, 2, 1, 0, 2, 1, 1, 0, 0}},
						"gad7": map[string]any{"items": []int{2, 1, 1, 1, 0, 1, 2}},
					},
				}
				var got struct{ ID int64 }
				if _, err := c.do("POST", fmt.Sprintf("/api/v1/referrals/%d/contacts", referral.ID), body, &got); err == nil {
					mu.Lock()
					contacts[got.ID] = true
					mu.Unlock()
				}
			}
		}(w)
	}

	// Kill once a good number of writes have been acknowledged.
	for start := time.Now(); time.Since(start) < 15*time.Second; time.Sleep(20 * time.Millisecond) {
		mu.Lock()
		n := len(contacts)
		mu.Unlock()
		if n >= 60 {
			break
		}
	}
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	close(stop)
	wg.Wait()

	mu.Lock()
	ackedContacts, ackedReferrals := len(contacts), len(referrals)
	mu.Unlock()
	if ackedContacts == 0 {
		t.Fatal("no write was acknowledged before the kill: the test proved nothing")
	}
	t.Logf("acknowledged before SIGKILL: %d contacts, %d referrals", ackedContacts, ackedReferrals)

	// Restart on the same file and look for every acknowledged write.
	p2 := startProcess(t, bin, db)
	c.base = p2.URL
	var detail struct {
		Contacts []struct{ ID int64 } `json:"contacts"`
	}
	if _, err := c.do("GET", fmt.Sprintf("/api/v1/referrals/%d", referral.ID), nil, &detail); err != nil {
		t.Fatal(err)
	}
	present := map[int64]bool{}
	for _, ct := range detail.Contacts {
		present[ct.ID] = true
	}
	for id := range contacts {
		if !present[id] {
			t.Errorf("contact %d was acknowledged but is missing after the restart", id)
		}
	}
	for id := range referrals {
		if _, err := c.do("GET", fmt.Sprintf("/api/v1/referrals/%d", id), nil, nil); err != nil {
			t.Errorf("referral %d was acknowledged but is missing after the restart: %v", id, err)
		}
	}
	_ = p2.cmd.Process.Signal(syscall.SIGTERM)
	_ = p2.cmd.Wait()

	conn, err := sql.Open("sqlite3", db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var check string
	if err := conn.QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&check); err != nil {
		t.Fatal(err)
	}
	if check != "ok" {
		t.Errorf("integrity_check after SIGKILL: %s", check)
	}
}
