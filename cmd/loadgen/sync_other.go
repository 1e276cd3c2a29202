//go:build !linux

package main

import (
	"errors"
	"time"
)

func syncDisks() error { return errors.New("--drop-caches works on Linux only") }

func selfCPU() time.Duration { return 0 }
