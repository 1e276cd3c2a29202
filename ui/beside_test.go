package ui

import (
	"errors"
	"strings"
	"testing"
)

func TestBeside(t *testing.T) {
	errA, errB := errors.New("a"), errors.New("b")
	ran := 0
	if err := beside(func() error { ran++; return nil }, func() error { ran++; return nil }); err != nil || ran != 2 {
		t.Errorf("both fine: %v, %d ran", err, ran)
	}
	if err := beside(func() error { return errA }, func() error { return errB }); err != errA {
		t.Errorf("both fail: %v, want the first's", err)
	}
	if err := beside(func() error { return nil }, func() error { return errB }); err != errB {
		t.Errorf("second fails: %v", err)
	}
	if err := beside(func() error { panic("boom") }, func() error { return nil }); err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("a panic in the first: %v, want it as an error", err)
	}
}
