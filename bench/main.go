// Command bench measures nubo against baselines taken in the same run, and
// prints each result as a markdown table with the ratio. Run from the
// repository root:
//
//	go run ./bench                  # every benchmark: cold, warm, memory, gateway
//	go run ./bench cold warm        # some of them
//	go run ./bench --quick          # a smoke run, under a minute
//	go run ./bench --cpuprofile f   # nubo runs in-process: profile it
//
// nubo runs in this process (platform.New + Start on loopback ports); the
// functions are bench/fn/echo and bench/fn/sleep, built with aws-lambda-go.
// The baselines are a bare fork+exec against a minimal Runtime API loop, a
// plain net/http echo server, the bare Runtime API round trip, and what users
// run instead: aws-lambda-rie (go install, through the Go module proxy) and
// serverless-offline (npm), installed once under $TMPDIR/nubo-bench-cache;
// --quick uses them only when already there. docs/performance.md records
// the figures.
//
// Timings depend on the machine and its load: compare ratios, not absolutes.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime/pprof"
)

type benchmark struct {
	name string
	run  func(ctx context.Context, env *benchEnv) error
}

func main() { os.Exit(run()) }

func run() int {
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: go run ./bench [flags] [benchmark ...]\nbenchmarks:", names())
		flag.PrintDefaults()
	}
	quick := flag.Bool("quick", false, "fewer iterations (a smoke run)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run (nubo runs in this process) to `file`")
	flag.StringVar(&rowProfile.file, "rowprofile", "", "write a CPU profile of the measured part of the rows named by --rows to `file`")
	flag.StringVar(&rowProfile.match, "rows", "nubo gateway", "the rows --rowprofile profiles: those whose name contains this")
	flag.Parse()
	if *cpuProfile != "" && rowProfile.file != "" {
		fmt.Fprintln(os.Stderr, "bench: --cpuprofile and --rowprofile cannot be used together")
		return 2
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			return 1
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	env, err := newBenchEnv(*quick)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	defer env.close()
	want := map[string]bool{}
	for _, a := range flag.Args() {
		want[a] = true
	}
	for _, b := range all() {
		if len(want) > 0 && !want[b.name] {
			continue
		}
		if err := b.run(ctx, env); err != nil {
			fmt.Fprintf(os.Stderr, "bench %s: %v\n", b.name, err)
			return 1
		}
	}
	return 0
}

func names() []string {
	var n []string
	for _, b := range all() {
		n = append(n, b.name)
	}
	return n
}
