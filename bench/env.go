package main

import (
	"io"
	"os"
	"time"
)

// benchEnv holds what several benchmarks share: built functions, a temp dir.
type benchEnv struct {
	dir   string
	quick bool
	// smoke shrinks quick further (the go test that checks every benchmark
	// runs) and leaves out what is not installed yet.
	smoke bool
	out   io.Writer
	bins  map[string]string
	// aws-lambda-rie and serverless-offline, or why they are missing.
	rie, rieWhy string
	sls, slsWhy string
}

func newBenchEnv(quick bool) (*benchEnv, error) {
	dir, err := os.MkdirTemp("", "nubo-bench-")
	if err != nil {
		return nil, err
	}
	return &benchEnv{dir: dir, quick: quick, out: os.Stdout, bins: map[string]string{}}, nil
}

func (e *benchEnv) close() { _ = os.RemoveAll(e.dir) }

func (e *benchEnv) bin(name string) (string, error) {
	if b, ok := e.bins[name]; ok {
		return b, nil
	}
	b, err := buildFn(e.dir, name)
	if err != nil {
		return "", err
	}
	e.bins[name] = b
	return b, nil
}

func (e *benchEnv) iterations(full int) int {
	if e.smoke {
		return 3
	}
	if e.quick {
		return max(full/10, 3)
	}
	return full
}

func (e *benchEnv) duration(full time.Duration) time.Duration {
	if e.smoke {
		return full / 20
	}
	if e.quick {
		return full / 5
	}
	return full
}
