package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"time"
)

// memSnapshot is this process's memory: nubo runs in it.
type memSnapshot struct {
	rssKB       int64 // VmRSS
	heap, stack uint64
	kids        int     // function processes
	kidsMB      float64 // their RSS
}

func readMem() memSnapshot {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memSnapshot{rssKB: statusKB("/proc/self/status", "VmRSS:"), heap: ms.HeapInuse, stack: ms.StackInuse}
	for _, pid := range childPIDs() {
		m.kids++
		m.kidsMB += float64(statusKB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")) / 1024
	}
	return m
}

// benchMemory measures nubo's own memory per warm instance: N instances of
// the sleep function are made to exist by N overlapping invokes, and the
// growth of this process's RSS and Go heap+stacks is divided by N.
func benchMemory(ctx context.Context, env *benchEnv) error {
	n, err := startNubo(ctx, env)
	if err != nil {
		return err
	}
	defer n.close()
	if err := n.deploy(ctx, env, "sleep", "sleep"); err != nil {
		return err
	}
	// One instance first, so what every first invoke allocates once (the
	// SDK client, code extraction, log streams) is in the baseline.
	if err := n.invoke(ctx, n.lc, "sleep", []byte(`{"ms":0}`)); err != nil {
		return err
	}
	count := 50
	if env.quick {
		count = 10
	}
	before := readMem()
	warm0, _ := n.p.Functions.Instances("sleep")
	ev := []byte(fmt.Sprintf(`{"ms":%d}`, 1500))
	var wg sync.WaitGroup
	errs := make([]error, count)
	for i := range count {
		wg.Go(func() { errs[i] = n.invoke(ctx, n.lc, "sleep", ev) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	time.Sleep(100 * time.Millisecond) // let connection goroutines settle
	after := readMem()
	warm1, busy := n.p.Functions.Instances("sleep")
	added := warm1 - warm0
	if added <= 0 || busy != 0 {
		return fmt.Errorf("memory: %d warm instances before, %d after (%d busy)", warm0, warm1, busy)
	}
	per := func(a, b float64) string { return fmt.Sprintf("%.3f MB", (a-b)/float64(added)/(1<<20)) }
	t := &table{title: fmt.Sprintf("Memory per warm instance: %d instances of the sleep function", added), head: []string{"what", "before", "after", "per instance"}}
	mb := func(b float64) string { return fmt.Sprintf("%.1f MB", b/(1<<20)) }
	t.add("nubo process RSS (VmRSS after GC)", mb(float64(before.rssKB*1024)), mb(float64(after.rssKB*1024)), per(float64(after.rssKB*1024), float64(before.rssKB*1024)))
	t.add("nubo Go heap in use + stacks", mb(float64(before.heap+before.stack)), mb(float64(after.heap+after.stack)), per(float64(after.heap+after.stack), float64(before.heap+before.stack)))
	t.add(fmt.Sprintf("function processes' RSS (%d -> %d processes; not nubo's)", before.kids, after.kids), fmt.Sprintf("%.1f MB", before.kidsMB), fmt.Sprintf("%.1f MB", after.kidsMB),
		fmt.Sprintf("%.3f MB", (after.kidsMB-before.kidsMB)/float64(added)))
	t.print(os.Stdout)
	return nil
}
