package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/eventpattern"
)

// benchEvents measures the event pattern matcher (events/s through one
// compiled set of 1, 100, 1,000 and 10,000 mixed rules, beside the naive
// matcher that tries each pattern in turn) and PutEvents to the moment a
// function target has the event.
func benchEvents(ctx context.Context, env *benchEnv) error {
	if err := benchMatcher(env); err != nil {
		return err
	}
	return benchEventDelivery(ctx, env)
}

// mixedPattern is rule i of a mixed set: most rules name a source and a
// detail-type exactly and add one content filter; one in ten names no
// exact value at all (prefix or $or only), which no index can skip.
func mixedPattern(i int) string {
	src := fmt.Sprintf("app.svc%d", i%50)
	dt := fmt.Sprintf("Type%d", i%20)
	filters := []string{
		`"status":["s%d"]`,
		`"name":[{"prefix":"n%d"}]`,
		`"price":[{"numeric":[">",%d,"<=",1000]}]`,
		`"state":[{"anything-but":["s%d","x"]}]`,
		`"ip":[{"cidr":"10.%d.0.0/16"}]`,
		`"file":[{"suffix":".p%d"}]`,
		`"path":[{"wildcard":"/a/*/b%d"}]`,
		`"user":[{"equals-ignore-case":"U%d"}]`,
		`"opt%d":[{"exists":false}]`,
	}
	f := fmt.Sprintf(filters[i%len(filters)], i%100)
	if i%10 == 9 {
		return fmt.Sprintf(`{"source":[{"prefix":"app.svc%d"}],"$or":[{"detail":{%s}},{"detail-type":[{"prefix":"Type%d"}]}]}`, i%50, f, i%20)
	}
	return fmt.Sprintf(`{"source":[%q],"detail-type":[%q],"detail":{%s}}`, src, dt, f)
}

func mixedEvent(r *rand.Rand, i int) []byte {
	return fmt.Appendf(nil, `{"version":"0","id":"%d","detail-type":"Type%d","source":"app.svc%d","account":"000000000000","time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":["arn:aws:s3:::b%d"],"detail":{"status":"s%d","name":"n%d-x","price":%d,"state":"s%d","ip":"10.%d.1.2","file":"f.p%d","path":"/a/z/b%d","user":"u%d","items":[{"sku":"k%d","qty":%d}]}}`,
		i, r.IntN(20), r.IntN(50), r.IntN(9), r.IntN(100), r.IntN(100), r.IntN(1200), r.IntN(100), r.IntN(100), r.IntN(100), r.IntN(100), r.IntN(100), r.IntN(1000), r.IntN(10))
}

func benchMatcher(env *benchEnv) error {
	r := rand.New(rand.NewPCG(1, 2))
	var events []eventpattern.Event
	for i := range 1000 {
		ev, err := eventpattern.ParseEvent(mixedEvent(r, i))
		if err != nil {
			return err
		}
		events = append(events, ev)
	}
	t := table{title: "Event pattern matching: events/s on one core, 1,000 EventBridge envelopes, mixed operators",
		head: []string{"rules", "compiled set", "naive: each pattern in turn", "compiled / naive", "matches per event"}}
	d := env.duration(2 * time.Second)
	for _, n := range []int{1, 100, 1000, 10000} {
		pats := make([]eventpattern.Pattern, n)
		for i := range pats {
			pats[i] = eventpattern.Pattern{ID: fmt.Sprint(i), JSON: mixedPattern(i)}
		}
		set, err := eventpattern.Compile(pats)
		if err != nil {
			return err
		}
		matches := 0
		compiled := rate(d, func(i int) { matches += len(set.MatchEvent(events[i%len(events)])) })
		naiveMatches := 0
		naive := rate(d, func(i int) { naiveMatches += len(set.MatchEach(events[i%len(events)])) })
		if naiveMatches*compiled.n != matches*naive.n && naive.n%len(events) == 0 && compiled.n%len(events) == 0 {
			return fmt.Errorf("%d rules: the compiled set and the naive matcher disagree", n)
		}
		t.add(fmt.Sprint(n), fmt.Sprintf("%.0f", compiled.perSec), fmt.Sprintf("%.0f", naive.perSec), ratio(compiled.perSec, naive.perSec),
			fmt.Sprintf("%.2f", float64(matches)/float64(compiled.n)))
	}
	t.print(env.out)
	return nil
}

type rateResult struct {
	n      int
	perSec float64
}

// rate runs f(i) for i = 0, 1, ... for about d and answers calls per second.
func rate(d time.Duration, f func(i int)) rateResult {
	start := time.Now()
	n := 0
	for time.Since(start) < d {
		for range 64 {
			f(n)
			n++
		}
	}
	return rateResult{n: n, perSec: float64(n) / time.Since(start).Seconds()}
}

// benchEventDelivery puts events on the default bus one at a time and
// times each until the notify function, a rule's target, posts its id back.
func benchEventDelivery(ctx context.Context, env *benchEnv) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	var mu sync.Mutex
	arrived := map[string]time.Time{}
	signal := make(chan struct{}, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		arrived[strings.TrimSpace(string(b))] = time.Now()
		mu.Unlock()
		select {
		case signal <- struct{}{}:
		default:
		}
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	n, err := startNubo(ctx, env)
	if err != nil {
		return err
	}
	defer n.close()
	bin, err := env.bin("notify")
	if err != nil {
		return err
	}
	z, err := zipBootstrap(bin)
	if err != nil {
		return err
	}
	fn, err := n.lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("notify"), Runtime: lambdatypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: aws.String("arn:aws:iam::000000000000:role/bench"), Timeout: aws.Int32(30), MemorySize: aws.Int32(128),
		Code:        &lambdatypes.FunctionCode{ZipFile: z},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"NOTIFY_URL": "http://" + ln.Addr().String() + "/"}},
	})
	if err != nil {
		return fmt.Errorf("create the notify function: %w", err)
	}
	eb := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(n.url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	rule, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bench"), EventPattern: aws.String(`{"source":["bench"]}`)})
	if err != nil {
		return err
	}
	if _, err := n.lc.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("notify"), StatementId: aws.String("events"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("events.amazonaws.com"), SourceArn: rule.RuleArn}); err != nil {
		return err
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("bench"),
		Targets: []ebtypes.Target{{Id: aws.String("fn"), Arn: fn.FunctionArn}}}); err != nil {
		return err
	}
	var lat sample
	iters := env.iterations(300)
	for i := range iters + 5 {
		start := time.Now()
		out, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("bench"), DetailType: aws.String("tick"), Detail: aws.String(`{"n":1}`)}}})
		if err != nil {
			return err
		}
		if out.FailedEntryCount != 0 {
			return fmt.Errorf("PutEvents: %s", aws.ToString(out.Entries[0].ErrorMessage))
		}
		id := aws.ToString(out.Entries[0].EventId)
		deadline := time.After(30 * time.Second)
		for {
			mu.Lock()
			at, ok := arrived[id]
			mu.Unlock()
			if ok {
				if i >= 5 { // the first warm the instance
					lat = append(lat, at.Sub(start))
				}
				break
			}
			select {
			case <-signal:
			case <-deadline:
				return fmt.Errorf("event %s never reached the function", id)
			}
		}
	}
	t := table{title: "PutEvents until a function target has the event (default bus, one rule, warm function)",
		head: []string{"events", "p50", "p90", "p99"}}
	t.add(fmt.Sprint(len(lat)), ms(lat.pct(50)), ms(lat.pct(90)), ms(lat.pct(99)))
	t.print(env.out)
	return nil
}
