package main

import (
	"context"
	"fmt"
	"time"
)

type warmRow struct {
	what    string
	clients int
	loadResult
}

// benchWarm compares a warm invoke through nubo's Invoke API with a plain
// net/http echo round trip, the bare Runtime API round trip (one process
// polling a minimal loop) and aws-lambda-rie.
func benchWarm(ctx context.Context, env *benchEnv) error {
	bin, err := env.bin("echo")
	if err != nil {
		return err
	}
	d := env.duration(5 * time.Second)
	var rows []warmRow
	add := func(what string, clients int, newClient func() func() error) error {
		res, err := loadEach(ctx, clients, d, newClient)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		rows = append(rows, warmRow{what, clients, res})
		return nil
	}

	addr, stop, err := echoServer()
	if err != nil {
		return err
	}
	defer stop()
	hc := httpClient(32)
	for _, c := range []int{1, 8} {
		if err := add("bare net/http echo round trip", c, func() func() error { return httpEcho(hc, "http://"+addr+"/", []byte(echoEvent)) }); err != nil {
			return err
		}
	}

	for _, b := range []struct {
		what                    string
		clients, procs, pollers int
	}{
		{"bare Runtime API: 1 process, 1 poller", 1, 1, 1},
		{"bare Runtime API best case: 1 process, 8 pollers", 8, 1, 8},
		{"bare Runtime API, Lambda-shaped: 8 processes, 1 poller each", 8, 8, 1},
	} {
		loop, err := newBareLoop(bin, b.procs, b.pollers)
		if err != nil {
			return err
		}
		err = add(b.what, b.clients, func() func() error { return loop.invoker([]byte(echoEvent)) })
		loop.close()
		if err != nil {
			return err
		}
	}

	// nubo's transport to Go functions (decision 004): the same processes
	// in aws-lambda-go's RPC mode, Lambda-shaped.
	brpc, err := newBareRPC(bin, 8)
	if err != nil {
		return err
	}
	err = add("bare RPC (go1.x mode), Lambda-shaped: 8 processes, one call each", 8, func() func() error { return brpc.invoker([]byte(echoEvent)) })
	brpc.close()
	if err != nil {
		return err
	}

	n, err := startNubo(ctx, env)
	if err != nil {
		return err
	}
	defer n.close()
	if err := n.deploy(ctx, env, "echo", "echo"); err != nil {
		return err
	}
	for _, c := range []int{1, 8} {
		if err := add("nubo Invoke, aws-sdk-go-v2 client", c, func() func() error {
			return func() error { return n.invoke(ctx, n.lc, "echo", []byte(echoEvent)) }
		}); err != nil {
			return err
		}
		if err := add("nubo Invoke, lean signed net/http client", c, func() func() error { return leanInvoke(hc, n.url, "echo", []byte(echoEvent)) }); err != nil {
			return err
		}
	}
	n.close()

	rieBin, rieWhy := env.rieBinary()
	if rieBin != "" {
		r, err := startRIE(rieBin, bin)
		if err != nil {
			return err
		}
		err = firstAnswer(hc, r.url, []byte(echoEvent), 10*time.Second)
		if err == nil {
			// One client: a second concurrent invoke makes the emulator fail.
			err = add("aws-lambda-rie invoke (one at a time only)", 1, func() func() error { return httpEcho(hc, r.url, []byte(echoEvent)) })
		}
		r.close()
		if err != nil {
			return err
		}
	}

	find := func(prefix string, clients int) warmRow {
		for _, r := range rows {
			if r.clients == clients && len(r.what) >= len(prefix) && r.what[:len(prefix)] == prefix {
				return r
			}
		}
		return warmRow{}
	}
	t := &table{title: "Warm invoke: echo function, 17-byte event", head: []string{"what", "clients", "p50", "p99", "calls/s", "CPU/call (this process)", "p50 vs net/http", "p50 vs bare Runtime API", "calls/s vs bare Runtime API"}}
	for _, r := range rows {
		h := find("bare net/http", r.clients)
		b := find("bare Runtime API", r.clients)
		t.add(r.what, fmt.Sprint(r.clients), ms(r.lat.pct(50)), ms(r.lat.pct(99)), fmt.Sprintf("%.0f", r.rate), us(r.cpu),
			ratio(float64(r.lat.pct(50)), float64(h.lat.pct(50))), ratio(float64(r.lat.pct(50)), float64(b.lat.pct(50))), ratio(r.rate, b.rate))
	}
	t.print(env.out)
	if rieBin == "" {
		fmt.Fprintln(env.out, "\naws-lambda-rie skipped:", rieWhy)
	} else {
		sdk, lean, ri := find("nubo Invoke, aws", 1), find("nubo Invoke, lean", 1), find("aws-lambda-rie", 1)
		fmt.Fprintf(env.out, "\nvs aws-lambda-rie, 1 client: p50 %s (SDK) %s (lean); calls/s %s (SDK) %s (lean); with 8 clients nubo serves %s of rie's one-at-a-time calls/s (lean)\n",
			ratio(float64(sdk.lat.pct(50)), float64(ri.lat.pct(50))), ratio(float64(lean.lat.pct(50)), float64(ri.lat.pct(50))),
			ratio(sdk.rate, ri.rate), ratio(lean.rate, ri.rate), ratio(find("nubo Invoke, lean", 8).rate, ri.rate))
	}
	return nil
}
