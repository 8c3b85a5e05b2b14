package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/nubo-run/nubo/internal/gateway"
)

// benchGateway loads the echo function behind an HttpApi route at 32
// connections, beside a bare net/http echo server, a direct Invoke of the
// same function and serverless-offline serving a Node twin.
func benchGateway(ctx context.Context, env *benchEnv) error {
	const conns = 32
	d := env.duration(5 * time.Second)
	type row struct {
		what    string
		clients int
		loadResult
		note string
	}
	var rows []row
	hc := httpClient(conns)
	run := func(what string, clients int, newClient func() func() error) (row, error) {
		stop := func() {}
		if clients == conns {
			stop = profileRow(what)
		}
		res, err := loadEach(ctx, clients, d, newClient)
		stop()
		if err != nil {
			return row{}, fmt.Errorf("%s: %w", what, err)
		}
		r := row{what: what, clients: clients, loadResult: res}
		rows = append(rows, r)
		return r, nil
	}

	addr, stop, err := echoServer()
	if err != nil {
		return err
	}
	bare, err := run("bare net/http echo server", conns, func() func() error { return httpEcho(hc, "http://"+addr+"/", []byte(echoEvent)) })
	stop()
	if err != nil {
		return err
	}

	// The floor for any request a function answers: one process with 8
	// Runtime API pollers behind a minimal loop, at the same 32 clients.
	bin, err := env.bin("echo")
	if err != nil {
		return err
	}
	loop, err := newBareLoop(bin, 1, 8)
	if err != nil {
		return err
	}
	floor, err := run("bare Runtime API best case: 1 process, 8 pollers", conns, func() func() error { return loop.invoker([]byte(echoEvent)) })
	loop.close()
	if err != nil {
		return err
	}

	// The floor on nubo's transport: net/http whose handler calls one of
	// 32 function processes in aws-lambda-go's RPC mode.
	brpc, err := newBareRPC(bin, conns)
	if err != nil {
		return err
	}
	rpcAddr, rpcStop, err := brpc.httpServer()
	if err != nil {
		brpc.close()
		return err
	}
	rpcFloor, err := run("bare net/http + RPC to 32 function processes", conns, func() func() error { return httpEcho(hc, "http://"+rpcAddr+"/", []byte(echoEvent)) })
	rpcStop()
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
	api, err := n.p.Gateway.Put(ctx, gateway.API{ID: "benchapi01", Name: "bench", Type: gateway.TypeHTTP,
		Routes: []gateway.Route{{Key: "POST /echo", Integration: gateway.Integration{Function: "echo", PayloadFormatVersion: "2.0"}}},
		Stages: []gateway.Stage{{Name: "$default"}}})
	if err != nil {
		return err
	}
	// The route may invoke the function only with its permission, as on AWS.
	if _, err := n.lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("echo"), StatementId: aws.String("bench-gateway"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("apigateway.amazonaws.com"),
		SourceArn: aws.String("arn:aws:execute-api:us-east-1:000000000000:" + api.ID + "/*")}); err != nil {
		return fmt.Errorf("add permission: %w", err)
	}
	gwURL := "http://" + n.p.HTTPAddr() + "/_api/" + api.ID + "/echo"
	if err := firstAnswer(hc, gwURL, []byte(echoEvent), 10*time.Second); err != nil {
		return err
	}
	var gw1, direct1, gw, direct row
	if gw1, err = run("nubo gateway: HttpApi route -> echo", 1, func() func() error { return httpEcho(hc, gwURL, []byte(echoEvent)) }); err != nil {
		return err
	}
	if direct1, err = run("nubo direct Invoke (lean signed client)", 1, func() func() error { return leanInvoke(hc, n.url, "echo", []byte(echoEvent)) }); err != nil {
		return err
	}
	if gw, err = run("nubo gateway: HttpApi route -> echo", conns, func() func() error { return httpEcho(hc, gwURL, []byte(echoEvent)) }); err != nil {
		return err
	}
	if direct, err = run("nubo direct Invoke (lean signed client)", conns, func() func() error { return leanInvoke(hc, n.url, "echo", []byte(echoEvent)) }); err != nil {
		return err
	}
	n.close()

	var sls row
	slsDir, slsWhy := env.slsDir()
	if slsDir != "" {
		s, err := startSLS(slsDir, filepath.Join(env.dir, "sls"))
		if err != nil {
			slsWhy = err.Error()
		} else {
			before := s.rssMB()
			sls, err = run("serverless-offline: httpApi -> Node echo", conns, func() func() error { return httpEcho(hc, s.url, []byte(echoEvent)) })
			after := s.rssMB()
			s.close()
			if err != nil {
				return err
			}
			rows[len(rows)-1].note = fmt.Sprintf("RSS %.0f -> %.0f MB", before, after)
		}
	}

	t := &table{title: "HTTP API: echo function behind an HttpApi route", head: []string{"what", "connections", "p50", "p99", "requests/s", "CPU/request (this process)", "vs bare net/http", "note"}}
	for _, r := range rows {
		t.add(r.what, fmt.Sprint(r.clients), ms(r.lat.pct(50)), ms(r.lat.pct(99)), fmt.Sprintf("%.0f", r.rate), us(r.cpu), ratio(r.rate, bare.rate), r.note)
	}
	t.print(env.out)
	fmt.Fprintf(env.out, "\ngateway overhead at p50 (gateway p50 - direct invoke p50): %.0f µs at 1 connection, %.0f µs at %d connections\n",
		float64(gw1.lat.pct(50)-direct1.lat.pct(50))/1e3, float64(gw.lat.pct(50)-direct.lat.pct(50))/1e3, conns)
	fmt.Fprintf(env.out, "gateway requests/s: %.0f%% of bare net/http, %.0f%% of the bare Runtime API best case, %.0f%% of direct Invoke\n",
		100*gw.rate/bare.rate, 100*gw.rate/floor.rate, 100*gw.rate/direct.rate)
	fmt.Fprintf(env.out, "floor: the bare Runtime API best case serves %.0f%% of bare net/http; the gateway keeps %.0f%% of that ratio\n",
		100*floor.rate/bare.rate, 100*(gw.rate/bare.rate)/(floor.rate/bare.rate))
	fmt.Fprintf(env.out, "floor on nubo's transport: bare net/http + RPC serves %.0f%% of bare net/http; the gateway keeps %.0f%% of that\n",
		100*rpcFloor.rate/bare.rate, 100*gw.rate/rpcFloor.rate)
	if sls.rate > 0 {
		fmt.Fprintf(env.out, "gateway requests/s vs serverless-offline: %s\n", ratio(gw.rate, sls.rate))
	} else {
		fmt.Fprintln(env.out, "serverless-offline skipped:", slsWhy)
	}
	return nil
}
