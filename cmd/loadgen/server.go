package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// server is the real clinic binary, started on a loopback port.
type server struct {
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	log  *bytes.Buffer
	once sync.Once
	done chan struct{}
}

var runningAt = regexp.MustCompile(`running at (http://127\.0\.0\.1:\d+)/`)

// startServer builds cmd/clinic into dir and starts it on 127.0.0.1 with a
// free port, serving db.
func startServer(ctx context.Context, dir, db string) (*server, error) {
	bin := filepath.Join(dir, "clinic")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "clinic/cmd/clinic") // #nosec G204 -- a fixed package into the run's folder
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return nil, fmt.Errorf("go build: %w", err)
	}
	s := &server{log: &bytes.Buffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(bin, "--addr", "127.0.0.1:0", "--db", db) // #nosec G204 -- the binary just built
	s.cmd.Stderr = &lockedWriter{w: s.log}
	out, err := s.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := s.cmd.Start(); err != nil {
		return nil, err
	}
	go func() { s.cmd.Wait(); close(s.done) }()
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := runningAt.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case s.base = <-found:
		return s, nil
	case <-s.done:
		return nil, fmt.Errorf("the server stopped at start: %s", s.errorText())
	case <-time.After(2 * time.Minute):
	case <-ctx.Done():
	}
	s.stop()
	return nil, errors.New("the server did not start")
}

// stop interrupts the server and waits for it (killing it after 10 s).
func (s *server) stop() {
	s.once.Do(func() {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	})
}

// vmHWM is the server's peak resident memory so far, from /proc (Linux).
func (s *server) vmHWM() (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024, err
		}
	}
	return 0, errors.New("no VmHWM in /proc status")
}

// cpuTime is the CPU time the server has used so far (user and system),
// from /proc (Linux; clock ticks of 1/100 s, as USER_HZ is there).
func (s *server) cpuTime() (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: count fields after it.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, errors.New("unexpected /proc stat")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14 of stat
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * (time.Second / 100), nil
}

func (s *server) errorText() string {
	s.cmd.Stderr.(*lockedWriter).mu.Lock()
	defer s.cmd.Stderr.(*lockedWriter).mu.Unlock()
	return s.log.String()
}

var commitLine = regexp.MustCompile(`msg="commits while serving" commits=(\d+) slow=(\d+) slow_from=(\S+) longest=(\S+)`)

// commits is what the server logged of its commits when it stopped: how
// many, how many were slow, and the longest (caseload.CommitTimes); "" when
// it logged nothing.
func (s *server) commits() string {
	m := commitLine.FindStringSubmatch(s.errorText())
	if m == nil {
		return ""
	}
	return fmt.Sprintf("%s commits, %s of them %s or longer, the longest %s", m[1], m[2], m[3], m[4])
}

// errorLines are the server's log lines at level ERROR.
func (s *server) errorLines() []string {
	var lines []string
	for _, l := range strings.Split(s.errorText(), "\n") {
		if strings.Contains(l, "level=ERROR") {
			lines = append(lines, l)
		}
	}
	return lines
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
