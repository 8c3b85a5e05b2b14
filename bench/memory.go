package main

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
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
	// Twice: sync.Pool victim caches survive one collection. Then give
	// freed pages back so RSS counts what is live.
	runtime.GC()
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	m := memSnapshot{rssKB: statusKB("/proc/self/status", "VmRSS:"), heap: ms.HeapInuse, stack: ms.StackInuse}
	for _, pid := range childPIDs() {
		m.kids++
		m.kidsMB += float64(statusKB(fmt.Sprintf("/proc/%d/status", pid), "VmRSS:")) / 1024
	}
	return m
}

// benchMemory measures nubo's own memory per warm instance: the sleep
// function is brought to N/2, then N warm instances by bursts of
// overlapping invokes, and the growth of this process's RSS and Go
// heap+stacks between the two is divided by the instances added. Measuring
// between two warm states leaves out what the first invokes allocate once;
// client connections are closed after each burst so they do not count.
func benchMemory(ctx context.Context, env *benchEnv) error {
	n, err := startNubo(ctx, env)
	if err != nil {
		return err
	}
	defer n.close()
	if err := n.deploy(ctx, env, "sleep", "sleep"); err != nil {
		return err
	}
	hc := httpClient(64)
	lc := lambdaClientWith(n.url, hc)
	count := 50
	switch {
	case env.smoke:
		count = 4
	case env.quick:
		count = 10
	}
	burst := func(k int) error {
		ev := []byte(`{"ms":1500}`)
		if env.smoke {
			ev = []byte(`{"ms":300}`)
		}
		var wg sync.WaitGroup
		errs := make([]error, k)
		for i := range k {
			wg.Go(func() { errs[i] = n.invoke(ctx, lc, "sleep", ev) })
		}
		wg.Wait()
		hc.CloseIdleConnections()
		time.Sleep(300 * time.Millisecond) // server side of the closed connections ends
		return errors.Join(errs...)
	}
	if err := burst(count / 2); err != nil {
		return err
	}
	warm0, _ := n.p.Functions.Instances("sleep")
	before := readMem()
	if err := burst(count); err != nil {
		return err
	}
	warm1, busy := n.p.Functions.Instances("sleep")
	after := readMem()
	added := warm1 - warm0
	if added <= 0 || busy != 0 {
		return fmt.Errorf("memory: %d warm instances before, %d after (%d busy)", warm0, warm1, busy)
	}
	mb := func(b float64) string { return fmt.Sprintf("%.1f MB", b/(1<<20)) }
	per := func(a, b float64) string { return fmt.Sprintf("%.3f MB", (a-b)/float64(added)/(1<<20)) }
	t := &table{title: fmt.Sprintf("Memory per warm instance: sleep function, %d -> %d warm instances", warm0, warm1), head: []string{"what", "before", "after", "per added instance"}}
	t.add("nubo process RSS (VmRSS after GC + FreeOSMemory)", mb(float64(before.rssKB*1024)), mb(float64(after.rssKB*1024)), per(float64(after.rssKB*1024), float64(before.rssKB*1024)))
	t.add("nubo Go heap in use + goroutine stacks", mb(float64(before.heap+before.stack)), mb(float64(after.heap+after.stack)), per(float64(after.heap+after.stack), float64(before.heap+before.stack)))
	t.add(fmt.Sprintf("function processes' RSS (%d -> %d processes; not nubo's)", before.kids, after.kids), fmt.Sprintf("%.1f MB", before.kidsMB), fmt.Sprintf("%.1f MB", after.kidsMB),
		fmt.Sprintf("%.3f MB", (after.kidsMB-before.kidsMB)/float64(added)))
	t.print(env.out)
	return nil
}
