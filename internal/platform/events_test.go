package platform

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/nubo-run/nubo/internal/events"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/stacks"
)

func eventBridgeFor(url string) *eventbridge.Client {
	return eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

// TestEventBridgeAPI runs every EventBridge operation nubo serves through
// aws-sdk-go-v2's client.
func TestEventBridgeAPI(t *testing.T) {
	p := startPlatform(t, Options{})
	eb := eventBridgeFor(p.EndpointURL())
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}

	def, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{})
	must(err)
	if aws.ToString(def.Name) != "default" || aws.ToString(def.Arn) != "arn:aws:events:us-east-1:000000000000:event-bus/default" {
		t.Fatalf("default bus: %s %s", aws.ToString(def.Name), aws.ToString(def.Arn))
	}
	cb, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders"), Description: aws.String("d"),
		Tags: []ebtypes.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	must(err)
	if !strings.HasSuffix(aws.ToString(cb.EventBusArn), ":event-bus/orders") {
		t.Errorf("CreateEventBus arn %s", aws.ToString(cb.EventBusArn))
	}
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("orders")}); apiCode(err) != "ResourceAlreadyExistsException" {
		t.Errorf("second CreateEventBus: %v", err)
	}
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("bad name!")}); apiCode(err) != "ValidationException" {
		t.Errorf("CreateEventBus with a bad name: %v", err)
	}
	lb, err := eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{Limit: aws.Int32(1)})
	must(err)
	if len(lb.EventBuses) != 1 || lb.NextToken == nil {
		t.Errorf("ListEventBuses page: %d buses, next %v", len(lb.EventBuses), lb.NextToken)
	}
	lb, err = eb.ListEventBuses(ctx, &eventbridge.ListEventBusesInput{NamePrefix: aws.String("ord")})
	must(err)
	if len(lb.EventBuses) != 1 || aws.ToString(lb.EventBuses[0].Name) != "orders" {
		t.Errorf("ListEventBuses prefix ord: %+v", lb.EventBuses)
	}

	pattern := `{"source":["shop"],"detail":{"total":[{"numeric":[">",100]}]}}`
	pr, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders"), EventPattern: aws.String(pattern)})
	must(err)
	ruleARN := aws.ToString(pr.RuleArn)
	if ruleARN != "arn:aws:events:us-east-1:000000000000:rule/orders/big" {
		t.Errorf("PutRule arn %s", ruleARN)
	}
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"shop"}`)})
	if apiCode(err) != "InvalidEventPatternException" || !strings.Contains(err.Error(), "Event pattern is not valid") {
		t.Errorf("PutRule with an invalid pattern: %v", err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("nothing")}); apiCode(err) != "ValidationException" {
		t.Errorf("PutRule without pattern or schedule: %v", err)
	}
	_, err = eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(5 minutes)")})
	must(err)
	dr, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")})
	must(err)
	if aws.ToString(dr.EventPattern) != pattern || dr.State != ebtypes.RuleStateEnabled || aws.ToString(dr.EventBusName) != "orders" {
		t.Errorf("DescribeRule: %+v", dr)
	}
	if _, err := eb.DescribeRule(ctx, &eventbridge.DescribeRuleInput{Name: aws.String("nope")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("DescribeRule of a missing rule: %v", err)
	}
	must2 := func(_ any, err error) { t.Helper(); must(err) }
	must2(eb.DisableRule(ctx, &eventbridge.DisableRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}))
	lr, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String("orders")})
	must(err)
	if len(lr.Rules) != 1 || lr.Rules[0].State != ebtypes.RuleStateDisabled {
		t.Errorf("ListRules after DisableRule: %+v", lr.Rules)
	}
	must2(eb.EnableRule(ctx, &eventbridge.EnableRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}))

	fn := "arn:aws:lambda:us-east-1:000000000000:function:f"
	var targets []ebtypes.Target
	for _, id := range []string{"t1", "t2", "t3", "t4", "t5", "t6"} {
		targets = append(targets, ebtypes.Target{Id: aws.String(id), Arn: aws.String(fn)})
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big"), EventBusName: aws.String("orders"), Targets: targets}); apiCode(err) != "LimitExceededException" {
		t.Errorf("PutTargets with 6 targets: %v", err)
	}
	pt, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("fn"), Arn: aws.String(fn), InputPath: aws.String("$.detail")},
		{Id: aws.String("kin"), Arn: aws.String("arn:aws:kinesis:us-east-1:000000000000:stream/s")},
	}})
	must(err)
	if pt.FailedEntryCount != 1 || aws.ToString(pt.FailedEntries[0].TargetId) != "kin" {
		t.Errorf("PutTargets failed entries: %d %+v", pt.FailedEntryCount, pt.FailedEntries)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("big"), EventBusName: aws.String("orders"), Targets: []ebtypes.Target{
		{Id: aws.String("x"), Arn: aws.String(fn), Input: aws.String("{}"), InputPath: aws.String("$")}}}); apiCode(err) != "ValidationException" {
		t.Errorf("PutTargets with Input and InputPath: %v", err)
	}
	lt, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: aws.String("big"), EventBusName: aws.String("orders")})
	must(err)
	if len(lt.Targets) != 1 || aws.ToString(lt.Targets[0].InputPath) != "$.detail" {
		t.Errorf("ListTargetsByRule: %+v", lt.Targets)
	}
	ln, err := eb.ListRuleNamesByTarget(ctx, &eventbridge.ListRuleNamesByTargetInput{TargetArn: aws.String(fn), EventBusName: aws.String("orders")})
	must(err)
	if len(ln.RuleNames) != 1 || ln.RuleNames[0] != "big" {
		t.Errorf("ListRuleNamesByTarget: %v", ln.RuleNames)
	}
	if _, err := eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}); apiCode(err) != "ValidationException" {
		t.Errorf("DeleteRule with targets: %v", err)
	}

	event := `{"id":"1","account":"000000000000","source":"shop","time":"2026-01-01T00:00:00Z","region":"us-east-1","detail-type":"x","resources":[],"detail":{"total":150}}`
	tp, err := eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(event)})
	must(err)
	if !tp.Result {
		t.Error("TestEventPattern: no match")
	}
	tp, err = eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(strings.Replace(event, "150", "50", 1))})
	must(err)
	if tp.Result {
		t.Error("TestEventPattern: total 50 matched > 100")
	}
	if _, err := eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(pattern), Event: aws.String(`{"source":"shop"}`)}); apiCode(err) != "ValidationException" {
		t.Errorf("TestEventPattern with an incomplete event: %v", err)
	}

	pe, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{"total":150}`), EventBusName: aws.String("orders")},
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`not json`)},
		{Source: aws.String("shop"), Detail: aws.String(`{}`)},
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{}`), EventBusName: aws.String("nobus")},
	}})
	must(err)
	if pe.FailedEntryCount != 3 || aws.ToString(pe.Entries[0].EventId) == "" || aws.ToString(pe.Entries[1].ErrorCode) != "MalformedDetail" ||
		aws.ToString(pe.Entries[2].ErrorCode) != "InvalidArgument" || aws.ToString(pe.Entries[3].ErrorCode) != "ResourceNotFoundException" {
		t.Errorf("PutEvents results: %d %+v", pe.FailedEntryCount, pe.Entries)
	}
	var eleven []ebtypes.PutEventsRequestEntry
	for range 11 {
		eleven = append(eleven, ebtypes.PutEventsRequestEntry{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String("{}")})
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: eleven}); apiCode(err) != "ValidationException" {
		t.Errorf("PutEvents with 11 entries: %v", err)
	}
	big := `{"x":"` + strings.Repeat("a", 256*1024) + `"}`
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String(big)}}}); apiCode(err) != "ValidationException" {
		t.Errorf("PutEvents over 256 KB: %v", err)
	}

	must2(eb.TagResource(ctx, &eventbridge.TagResourceInput{ResourceARN: aws.String(ruleARN), Tags: []ebtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}}))
	tags, err := eb.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: aws.String(ruleARN)})
	must(err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "k" {
		t.Errorf("rule tags: %+v", tags.Tags)
	}
	must2(eb.UntagResource(ctx, &eventbridge.UntagResourceInput{ResourceARN: aws.String(ruleARN), TagKeys: []string{"k"}}))
	tags, err = eb.ListTagsForResource(ctx, &eventbridge.ListTagsForResourceInput{ResourceARN: cb.EventBusArn})
	must(err)
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "a" {
		t.Errorf("bus tags: %+v", tags.Tags)
	}

	must2(eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("orders"), Action: aws.String("events:PutEvents"),
		Principal: aws.String("111122223333"), StatementId: aws.String("partner")}))
	ob, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")})
	must(err)
	if !strings.Contains(aws.ToString(ob.Policy), `"Sid":"partner"`) || !strings.Contains(aws.ToString(ob.Policy), "arn:aws:iam::111122223333:root") {
		t.Errorf("bus policy after PutPermission: %s", aws.ToString(ob.Policy))
	}
	if _, err := eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("other")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("RemovePermission of a missing statement: %v", err)
	}
	must2(eb.RemovePermission(ctx, &eventbridge.RemovePermissionInput{EventBusName: aws.String("orders"), StatementId: aws.String("partner")}))

	// Archives and replays.
	ca, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("orders-archive"), EventSourceArn: cb.EventBusArn,
		EventPattern: aws.String(`{"source":["shop"]}`), RetentionDays: aws.Int32(7)})
	must(err)
	if aws.ToString(ca.ArchiveArn) != "arn:aws:events:us-east-1:000000000000:archive/orders-archive" || ca.State != ebtypes.ArchiveStateEnabled {
		t.Errorf("CreateArchive: %+v", ca)
	}
	if _, err := eb.CreateArchive(ctx, &eventbridge.CreateArchiveInput{ArchiveName: aws.String("bad"), EventSourceArn: cb.EventBusArn,
		EventPattern: aws.String(`{"source":"x"}`)}); apiCode(err) != "InvalidEventPatternException" {
		t.Errorf("CreateArchive with an invalid pattern: %v", err)
	}
	must2(eb.UpdateArchive(ctx, &eventbridge.UpdateArchiveInput{ArchiveName: aws.String("orders-archive"), Description: aws.String("kept")}))
	da, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String("orders-archive")})
	must(err)
	if aws.ToString(da.Description) != "kept" || aws.ToInt32(da.RetentionDays) != 7 || aws.ToString(da.EventSourceArn) != aws.ToString(cb.EventBusArn) {
		t.Errorf("DescribeArchive: %+v", da)
	}
	la, err := eb.ListArchives(ctx, &eventbridge.ListArchivesInput{EventSourceArn: cb.EventBusArn})
	must(err)
	if len(la.Archives) != 1 || aws.ToString(la.Archives[0].ArchiveName) != "orders-archive" {
		t.Errorf("ListArchives: %+v", la.Archives)
	}
	sr, err := eb.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("again"), EventSourceArn: ca.ArchiveArn,
		EventStartTime: aws.Time(time.Now().Add(-time.Hour)), EventEndTime: aws.Time(time.Now()),
		Destination: &ebtypes.ReplayDestination{Arn: cb.EventBusArn}})
	must(err)
	if aws.ToString(sr.ReplayArn) != "arn:aws:events:us-east-1:000000000000:replay/again" {
		t.Errorf("StartReplay: %+v", sr)
	}
	if _, err := eb.StartReplay(ctx, &eventbridge.StartReplayInput{ReplayName: aws.String("elsewhere"), EventSourceArn: ca.ArchiveArn,
		EventStartTime: aws.Time(time.Now().Add(-time.Hour)), EventEndTime: aws.Time(time.Now()),
		Destination: &ebtypes.ReplayDestination{Arn: aws.String("arn:aws:events:us-east-1:000000000000:event-bus/default")}}); apiCode(err) != "ValidationException" {
		t.Errorf("StartReplay into another bus: %v", err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		dr, err := eb.DescribeReplay(ctx, &eventbridge.DescribeReplayInput{ReplayName: aws.String("again")})
		must(err)
		if dr.State == ebtypes.ReplayStateCompleted {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("replay still %s after 20s", dr.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
	lrp, err := eb.ListReplays(ctx, &eventbridge.ListReplaysInput{})
	must(err)
	if len(lrp.Replays) != 1 || lrp.Replays[0].State != ebtypes.ReplayStateCompleted {
		t.Errorf("ListReplays: %+v", lrp.Replays)
	}
	if _, err := eb.CancelReplay(ctx, &eventbridge.CancelReplayInput{ReplayName: aws.String("again")}); apiCode(err) != "IllegalStatusException" {
		t.Errorf("CancelReplay of a completed replay: %v", err)
	}
	must2(eb.DeleteArchive(ctx, &eventbridge.DeleteArchiveInput{ArchiveName: aws.String("orders-archive")}))

	must2(eb.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("big"), EventBusName: aws.String("orders"), Ids: []string{"fn"}}))
	must2(eb.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("big"), EventBusName: aws.String("orders")}))
	must2(eb.DeleteEventBus(ctx, &eventbridge.DeleteEventBusInput{Name: aws.String("orders")}))
	if _, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("orders")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("DescribeEventBus after delete: %v", err)
	}
}

// TestEventBridgeDeliversToFunction deploys a SAM template whose function
// has an EventBridgeRule event (with an InputTransformer) on a custom bus
// and a CloudWatchEvent on the default bus, puts events, and reads what
// the function received.
func TestEventBridgeDeliversToFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	out := t.TempDir()
	_, res := deployStack(t, p, copyDir(t, "testdata/events-stack"), map[string]string{"OutDir": out})
	eb := eventBridgeFor(p.EndpointURL())
	ctx := context.Background()
	pe, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("learning.platform"), DetailType: aws.String("CourseCompleted"), EventBusName: aws.String(res.Outputs["BusArn"]),
			Detail: aws.String(`{"user":"ada","course":"go-101","score":90}`)},
		{Source: aws.String("learning.platform"), DetailType: aws.String("CourseCompleted"), EventBusName: aws.String("learning"),
			Detail: aws.String(`{"user":"bob","course":"go-101","score":10}`)},
		{Source: aws.String("learning.platform"), DetailType: aws.String("UserEnrolled"), Detail: aws.String(`{"user":"cy"}`)},
	}})
	if err != nil || pe.FailedEntryCount != 0 {
		t.Fatalf("PutEvents: %v %+v", err, pe)
	}
	got := waitFiles(t, out, 2)
	var transformed, enrolled map[string]any
	for _, g := range got {
		if _, ok := g["who"]; ok {
			transformed = g
		} else {
			enrolled = g
		}
	}
	if transformed["who"] != "ada" || transformed["what"] != "go-101 completed" || !strings.HasPrefix(transformed["rule"].(string), "hello-NotifyCompleted") {
		t.Errorf("transformed event: %v", transformed)
	}
	if enrolled == nil || enrolled["detail-type"] != "UserEnrolled" || enrolled["source"] != "learning.platform" ||
		enrolled["account"] != "000000000000" || enrolled["id"] != aws.ToString(pe.Entries[2].EventId) {
		t.Errorf("enrolled event: %v", enrolled)
	}
	// The low score matched no rule.
	if n := countFiles(t, out); n != 2 {
		t.Errorf("%d deliveries, want 2", n)
	}

	// An async invocation of Grader: its OnSuccess destination is the
	// default bus, whose Graded rule delivers the record to Notify.
	lc := lambdaClientFor(p.EndpointURL())
	if _, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(res.Outputs["Grader"]), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(`{"user":"ada"}`)}); err != nil {
		t.Fatal(err)
	}
	got = waitFiles(t, out, 3)
	var graded map[string]any
	for _, g := range got {
		if g["detail-type"] == "Lambda Function Invocation Result - Success" {
			graded = g
		}
	}
	detail, _ := graded["detail"].(map[string]any)
	resp, _ := detail["responsePayload"].(map[string]any)
	if graded == nil || graded["source"] != "lambda" || resp["grade"] != "A" || resp["user"] != "ada" {
		t.Errorf("the destination's event: %v", graded)
	}

	bus, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("learning")})
	if err != nil || !strings.Contains(aws.ToString(bus.Policy), `"Sid":"partner"`) {
		t.Errorf("the bus's policy from AWS::Events::EventBusPolicy: %v %s", err, aws.ToString(bus.Policy))
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		a, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(res.Outputs["ArchiveName"])})
		if err != nil {
			t.Fatalf("DescribeArchive: %v", err)
		}
		if a.EventCount == 2 { // the two CourseCompleted events
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the archive holds %d events, want 2", a.EventCount)
		}
		time.Sleep(10 * time.Millisecond)
	}

	// Destroying the stack removes the rules (targets first), the policy,
	// the archive and the bus.
	if _, err := p.Stacks.Destroy(ctx, stacks.DestroyRequest{Stack: "hello", AllowDataLoss: true}, nil); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if _, err := eb.DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String("learning")}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("the bus after destroy: %v", err)
	}
	rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{})
	if err != nil || len(rules.Rules) != 0 {
		t.Errorf("rules of the default bus after destroy: %v %+v", err, rules)
	}
	if _, err := eb.DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(res.Outputs["ArchiveName"])}); apiCode(err) != "ResourceNotFoundException" {
		t.Errorf("the archive after destroy: %v", err)
	}
}

func countFiles(t *testing.T, dir string) int {
	m, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	return len(m)
}

// waitFiles polls dir until it holds n JSON files and decodes them.
func waitFiles(t *testing.T, dir string, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		m, _ := filepath.Glob(filepath.Join(dir, "*.json"))
		if len(m) >= n {
			var out []map[string]any
			for _, f := range m {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				var v map[string]any
				if err := json.Unmarshal(b, &v); err != nil {
					t.Fatalf("%s: %v", f, err)
				}
				out = append(out, v)
			}
			return out
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d deliveries after 60s", len(m), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEventBusPolicyEnforced: a role with no identity policy may not put
// events on a bus until the bus's resource policy (PutPermission) names it.
func TestEventBusPolicyEnforced(t *testing.T) {
	p := startPlatform(t, Options{})
	root := clientsFor(p.EndpointURL())
	eb := eventBridgeFor(p.EndpointURL())
	ctx := context.Background()
	role := root.role(t, "publisher", lambdaTrust)
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	keys, err := p.Keys.Issue(iam.SessionPrincipal(role, "pub"), time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	session := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: aws.String(p.EndpointURL()), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider(keys.AccessKeyID, keys.SecretAccessKey, keys.SessionToken)})
	put := func() error {
		_, err := session.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
			{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String("{}"), EventBusName: aws.String("shared")}}})
		return err
	}
	if err := put(); apiCode(err) != "AccessDeniedException" {
		t.Fatalf("PutEvents without any policy: %v, want AccessDeniedException", err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"pub","Effect":"Allow","Principal":{"AWS":"` + role + `"},"Action":"events:PutEvents","Resource":"arn:aws:events:us-east-1:000000000000:event-bus/shared"}]}`
	if _, err := eb.PutPermission(ctx, &eventbridge.PutPermissionInput{EventBusName: aws.String("shared"), Policy: aws.String(policy)}); err != nil {
		t.Fatal(err)
	}
	if err := put(); err != nil {
		t.Fatalf("PutEvents allowed by the bus policy: %v", err)
	}
	if _, err := session.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("s"), DetailType: aws.String("d"), Detail: aws.String("{}")}}}); apiCode(err) != "AccessDeniedException" {
		t.Errorf("PutEvents on the default bus, which has no policy: %v", err)
	}
}

// TestEventPatternCasesThroughAPIAndDelivery runs the matcher's case file
// (internal/eventpattern/testdata/cases.json: the user guide's examples and
// edge cases) through the TestEventPattern operation and through the
// compiled rule set of a bus that delivery matches with: both answer each
// case's verdict.
func TestEventPatternCasesThroughAPIAndDelivery(t *testing.T) {
	p := startPlatform(t, Options{})
	eb := eventBridgeFor(p.EndpointURL())
	ctx := context.Background()
	b, err := os.ReadFile("../eventpattern/testdata/cases.json")
	if err != nil {
		t.Fatal(err)
	}
	var cases []struct {
		Name    string          `json:"name"`
		Pattern json.RawMessage `json:"pattern"`
		Event   map[string]any  `json:"event"`
		Match   bool            `json:"match"`
	}
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("cases")}); err != nil {
		t.Fatal(err)
	}
	for i, c := range cases {
		// TestEventPattern wants an envelope: fill what the case leaves out.
		for k, v := range map[string]any{"id": "1", "account": "000000000000", "source": "nubo.test", "time": "2026-01-01T00:00:00Z",
			"region": "us-east-1", "detail-type": "case"} {
			if _, ok := c.Event[k]; !ok {
				c.Event[k] = v
			}
		}
		event, _ := json.Marshal(c.Event)
		out, err := eb.TestEventPattern(ctx, &eventbridge.TestEventPatternInput{EventPattern: aws.String(string(c.Pattern)), Event: aws.String(string(event))})
		if err != nil {
			t.Fatalf("%s: TestEventPattern: %v", c.Name, err)
		}
		if out.Result != c.Match {
			t.Errorf("%s: TestEventPattern %v, want %v", c.Name, out.Result, c.Match)
		}
		rule := fmt.Sprintf("case-%d", i)
		if _, err := p.Events.PutRule(ctx, events.RuleSpec{Bus: "cases", Name: rule, EventPattern: string(c.Pattern)}); err != nil {
			t.Fatalf("%s: PutRule: %v", c.Name, err)
		}
		matched, err := p.Events.Match(ctx, "cases", event)
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.Contains(matched, rule); got != c.Match {
			t.Errorf("%s: the delivery matcher says %v, want %v", c.Name, got, c.Match)
		}
		if err := p.Events.DeleteRule(ctx, "cases", rule, false); err != nil {
			t.Fatal(err)
		}
	}
}

// TestEventBridgeAPIDestination: a rule targets an API destination on a
// loopback HTTP server; the request carries the connection's API key, the
// target's path parameter, query string and header, and the event.
func TestEventBridgeAPIDestination(t *testing.T) {
	p := startPlatform(t, Options{})
	eb := eventBridgeFor(p.EndpointURL())
	ctx := context.Background()
	type request struct {
		method, path, query, key, header string
		body                             []byte
	}
	got := make(chan request, 4)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- request{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Get("x-api-key"), r.Header.Get("x-team"), b}
	}))
	defer srv.Close()
	conn, err := eb.CreateConnection(ctx, &eventbridge.CreateConnectionInput{Name: aws.String("hooks"), AuthorizationType: ebtypes.ConnectionAuthorizationTypeApiKey,
		AuthParameters: &ebtypes.CreateConnectionAuthRequestParameters{ApiKeyAuthParameters: &ebtypes.CreateConnectionApiKeyAuthRequestParameters{
			ApiKeyName: aws.String("x-api-key"), ApiKeyValue: aws.String("s3cret")}}})
	if err != nil {
		t.Fatal(err)
	}
	if conn.ConnectionState != ebtypes.ConnectionStateAuthorized {
		t.Errorf("connection state %s", conn.ConnectionState)
	}
	dc, err := eb.DescribeConnection(ctx, &eventbridge.DescribeConnectionInput{Name: aws.String("hooks")})
	if err != nil || aws.ToString(dc.AuthParameters.ApiKeyAuthParameters.ApiKeyName) != "x-api-key" {
		t.Fatalf("DescribeConnection: %v %+v", err, dc)
	}
	dest, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("hook"), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String(srv.URL + "/orders/*"), HttpMethod: ebtypes.ApiDestinationHttpMethodPost})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eb.CreateApiDestination(ctx, &eventbridge.CreateApiDestinationInput{Name: aws.String("hook"), ConnectionArn: conn.ConnectionArn,
		InvocationEndpoint: aws.String(srv.URL), HttpMethod: ebtypes.ApiDestinationHttpMethodPost}); apiCode(err) != "ResourceAlreadyExistsException" {
		t.Errorf("second CreateApiDestination: %v", err)
	}
	ld, err := eb.ListApiDestinations(ctx, &eventbridge.ListApiDestinationsInput{})
	if err != nil || len(ld.ApiDestinations) != 1 {
		t.Errorf("ListApiDestinations: %v %+v", err, ld)
	}
	lc, err := eb.ListConnections(ctx, &eventbridge.ListConnectionsInput{})
	if err != nil || len(lc.Connections) != 1 {
		t.Errorf("ListConnections: %v %+v", err, lc)
	}
	if _, err := eb.DescribeApiDestination(ctx, &eventbridge.DescribeApiDestinationInput{Name: aws.String("hook")}); err != nil {
		t.Error(err)
	}
	if _, err := eb.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("hook"), EventPattern: aws.String(`{"source":["shop"]}`)}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("hook"), Targets: []ebtypes.Target{{Id: aws.String("h"),
		Arn: dest.ApiDestinationArn, InputPath: aws.String("$.detail"), HttpParameters: &ebtypes.HttpParameters{PathParameterValues: []string{"42"},
			QueryStringParameters: map[string]string{"v": "1"}, HeaderParameters: map[string]string{"x-team": "shop"}}}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{
		{Source: aws.String("shop"), DetailType: aws.String("Order"), Detail: aws.String(`{"total":3}`)}}}); err != nil {
		t.Fatal(err)
	}
	select {
	case r := <-got:
		if r.method != "POST" || r.path != "/orders/42" || r.query != "v=1" || r.key != "s3cret" || r.header != "shop" || string(r.body) != `{"total":3}` {
			t.Errorf("the API destination got %+v (body %s)", r, r.body)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the API destination got nothing in 20s")
	}
	if _, err := eb.DeleteApiDestination(ctx, &eventbridge.DeleteApiDestinationInput{Name: aws.String("hook")}); err != nil {
		t.Error(err)
	}
	if _, err := eb.DeleteConnection(ctx, &eventbridge.DeleteConnectionInput{Name: aws.String("hooks")}); err != nil {
		t.Error(err)
	}
}
