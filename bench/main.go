// Command bench measures nubo against baselines taken in the same run, and
// prints each result as a table with the ratio. Run from the repository root:
//
//	go run ./bench            # every benchmark
//	go run ./bench cold warm  # some of them
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
	flag.Parse()
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
