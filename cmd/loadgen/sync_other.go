//go:build !linux

package main

import "errors"

func syncDisks() error { return errors.New("--drop-caches works on Linux only") }
