package platform

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	awsiam "github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	schedtypes "github.com/aws/aws-sdk-go-v2/service/scheduler/types"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"
)

const schedulerTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"scheduler.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func schedulerClientFor(url string) *scheduler.Client {
	return scheduler.New(scheduler.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

// schedulerRole creates a role Scheduler may assume, allowed to invoke
// functions when invoke is set.
func schedulerRole(t *testing.T, url, name string, invoke bool) string {
	t.Helper()
	c := clientsFor(url)
	arn := c.role(t, name, schedulerTrust)
	if invoke {
		if _, err := c.iam.PutRolePolicy(context.Background(), &awsiam.PutRolePolicyInput{RoleName: aws.String(name),
			PolicyName: aws.String("invoke"), PolicyDocument: aws.String(allowDoc("Allow", "lambda:InvokeFunction", "*"))}); err != nil {
			t.Fatal(err)
		}
	}
	return arn
}

func scheduleInput(name, expr, fn, role string) *scheduler.CreateScheduleInput {
	return &scheduler.CreateScheduleInput{Name: aws.String(name), ScheduleExpression: aws.String(expr),
		FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeOff},
		Target: &schedtypes.Target{Arn: aws.String("arn:aws:lambda:us-east-1:000000000000:function:" + fn), RoleArn: aws.String(role),
			Input: aws.String(`{"from":"` + name + `"}`)}}
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae interface{ ErrorCode() string }
	if !errors.As(err, &ae) || ae.ErrorCode() != code {
		t.Fatalf("err = %v, want %s", err, code)
	}
}

// TestSchedulerAPI: every Scheduler operation through aws-sdk-go-v2's
// client: groups (the default one exists, a deleted group takes its
// schedules), schedules (create, get, update, list with filters and
// paging, delete), tags, and the errors the SDK types name.
func TestSchedulerAPI(t *testing.T) {
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	c := schedulerClientFor(url)
	role := schedulerRole(t, url, "sched-role", true)

	g, err := c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("default")})
	if err != nil || aws.ToString(g.Arn) != "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default" || g.State != schedtypes.ScheduleGroupStateActive {
		t.Fatalf("default group: %+v %v", g, err)
	}
	cg, err := c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("nightly"),
		Tags: []schedtypes.Tag{{Key: aws.String("team"), Value: aws.String("data")}}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateScheduleGroup(ctx, &scheduler.CreateScheduleGroupInput{Name: aws.String("nightly")})
	wantCode(t, err, "ConflictException")
	groups, err := c.ListScheduleGroups(ctx, &scheduler.ListScheduleGroupsInput{NamePrefix: aws.String("ni")})
	if err != nil || len(groups.ScheduleGroups) != 1 || aws.ToString(groups.ScheduleGroups[0].Name) != "nightly" {
		t.Fatalf("list groups: %+v %v", groups, err)
	}

	// Tags on groups.
	if _, err := c.TagResource(ctx, &scheduler.TagResourceInput{ResourceArn: cg.ScheduleGroupArn,
		Tags: []schedtypes.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &scheduler.UntagResourceInput{ResourceArn: cg.ScheduleGroupArn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := c.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: cg.ScheduleGroupArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("tags: %+v %v", tags, err)
	}

	// Schedules: far in the future so none fires during the test.
	start := time.Now().Add(24 * time.Hour).Truncate(time.Second)
	for i := 0; i < 3; i++ {
		in := scheduleInput(fmt.Sprintf("report-%d", i), "cron(0 3 * * ? *)", "stats", role)
		in.GroupName = aws.String("nightly")
		in.ScheduleExpressionTimezone = aws.String("Europe/Paris")
		in.StartDate = aws.Time(start)
		out, err := c.CreateSchedule(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if want := fmt.Sprintf("arn:aws:scheduler:us-east-1:000000000000:schedule/nightly/report-%d", i); aws.ToString(out.ScheduleArn) != want {
			t.Fatalf("arn %s, want %s", aws.ToString(out.ScheduleArn), want)
		}
	}
	_, err = c.CreateSchedule(ctx, scheduleInput("report-0", "rate(1 day)", "stats", role))
	if err != nil { // the same name in another group (default) is another schedule
		t.Fatal(err)
	}
	_, err = c.CreateSchedule(ctx, func() *scheduler.CreateScheduleInput {
		in := scheduleInput("report-0", "rate(1 day)", "stats", role)
		in.GroupName = aws.String("nightly")
		return in
	}())
	wantCode(t, err, "ConflictException")

	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("report-1"), GroupName: aws.String("nightly")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ScheduleExpression) != "cron(0 3 * * ? *)" || aws.ToString(got.ScheduleExpressionTimezone) != "Europe/Paris" ||
		got.State != schedtypes.ScheduleStateEnabled || !aws.ToTime(got.StartDate).Equal(start) ||
		aws.ToString(got.Target.Input) != `{"from":"report-1"}` || got.CreationDate == nil || got.ActionAfterCompletion != schedtypes.ActionAfterCompletionNone {
		t.Fatalf("get: %+v", got)
	}
	up := scheduleInput("report-1", "rate(6 hours)", "stats", role)
	if _, err := c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: up.Name, GroupName: aws.String("nightly"),
		ScheduleExpression: up.ScheduleExpression, FlexibleTimeWindow: &schedtypes.FlexibleTimeWindow{Mode: schedtypes.FlexibleTimeWindowModeFlexible, MaximumWindowInMinutes: aws.Int32(15)},
		Target: up.Target, State: schedtypes.ScheduleStateDisabled, StartDate: aws.Time(start)}); err != nil {
		t.Fatal(err)
	}
	got, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("report-1"), GroupName: aws.String("nightly")})
	if err != nil || aws.ToString(got.ScheduleExpression) != "rate(6 hours)" || got.State != schedtypes.ScheduleStateDisabled ||
		aws.ToInt32(got.FlexibleTimeWindow.MaximumWindowInMinutes) != 15 {
		t.Fatalf("after update: %+v %v", got, err)
	}
	_, err = c.UpdateSchedule(ctx, &scheduler.UpdateScheduleInput{Name: aws.String("nope"), ScheduleExpression: up.ScheduleExpression,
		FlexibleTimeWindow: up.FlexibleTimeWindow, Target: up.Target})
	wantCode(t, err, "ResourceNotFoundException")

	// List: by group, prefix, state, and in pages.
	var names []string
	pager := scheduler.NewListSchedulesPaginator(c, &scheduler.ListSchedulesInput{GroupName: aws.String("nightly"), MaxResults: aws.Int32(2)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range page.Schedules {
			names = append(names, aws.ToString(s.Name))
		}
	}
	if fmt.Sprint(names) != "[report-0 report-1 report-2]" {
		t.Fatalf("paged list: %v", names)
	}
	disabled, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{State: schedtypes.ScheduleStateDisabled})
	if err != nil || len(disabled.Schedules) != 1 || aws.ToString(disabled.Schedules[0].Name) != "report-1" {
		t.Fatalf("disabled: %+v %v", disabled, err)
	}
	all, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{NamePrefix: aws.String("report-0")})
	if err != nil || len(all.Schedules) != 2 {
		t.Fatalf("prefix across groups: %+v %v", all, err)
	}

	// Validation: expression, time zone, universal targets, a role that
	// may not invoke.
	for _, tt := range []struct {
		mutate func(*scheduler.CreateScheduleInput)
	}{
		{func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("cron(0 3 * * * *)") }},
		{func(in *scheduler.CreateScheduleInput) { in.ScheduleExpression = aws.String("rate(0 minutes)") }},
		{func(in *scheduler.CreateScheduleInput) { in.ScheduleExpressionTimezone = aws.String("Mars/Olympus") }},
		{func(in *scheduler.CreateScheduleInput) {
			in.Target.Arn = aws.String("arn:aws:scheduler:::aws-sdk:sqs:sendMessage")
		}},
		{func(in *scheduler.CreateScheduleInput) {
			in.Target.RoleArn = aws.String(schedulerRole(t, url, "no-invoke", false))
		}},
		{func(in *scheduler.CreateScheduleInput) {
			in.Target.RoleArn = aws.String(clientsFor(url).role(t, "lambda-only", lambdaTrust))
		}},
		{func(in *scheduler.CreateScheduleInput) { in.GroupName = aws.String("bad/name") }},
	} {
		in := scheduleInput("invalid", "rate(1 hour)", "stats", role)
		tt.mutate(in)
		_, err := c.CreateSchedule(ctx, in)
		wantCode(t, err, "ValidationException")
	}
	_, err = c.CreateSchedule(ctx, func() *scheduler.CreateScheduleInput {
		in := scheduleInput("orphan", "rate(1 hour)", "stats", role)
		in.GroupName = aws.String("missing")
		return in
	}())
	wantCode(t, err, "ResourceNotFoundException")

	// Delete a schedule, then the group with the rest.
	if _, err := c.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("report-0")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("report-0")})
	wantCode(t, err, "ResourceNotFoundException")
	if _, err := c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("nightly")}); err != nil {
		t.Fatal(err)
	}
	left, err := c.ListSchedules(ctx, &scheduler.ListSchedulesInput{})
	if err != nil || len(left.Schedules) != 0 {
		t.Fatalf("after deleting the group: %+v %v", left, err)
	}
	_, err = c.DeleteScheduleGroup(ctx, &scheduler.DeleteScheduleGroupInput{Name: aws.String("default")})
	wantCode(t, err, "ValidationException")
	_, err = c.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("nightly")})
	wantCode(t, err, "ResourceNotFoundException")
}

// TestSchedulesFireAFunction: a one-time at() schedule with
// ActionAfterCompletion DELETE invokes a real function with its Input,
// then is gone; a rate() schedule with no StartDate fires at once.
func TestSchedulesFireAFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Stats:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: stats
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    print('FIRED %s' % event['from'])\n"
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	deployStack(t, p, dir, nil)
	c := schedulerClientFor(url)
	role := schedulerRole(t, url, "sched-role", true)

	due := time.Now().UTC().Add(2 * time.Second).Truncate(time.Second)
	once := scheduleInput("once", "at("+due.Format("2006-01-02T15:04:05")+")", "stats", role)
	once.ActionAfterCompletion = schedtypes.ActionAfterCompletionDelete
	if _, err := c.CreateSchedule(ctx, once); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateSchedule(ctx, scheduleInput("every", "rate(1 hour)", "stats", role)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the rate schedule's first firing", 30*time.Second, func() bool { return countLines(t, p, "stats", "FIRED every") == 1 })
	waitUntil(t, "the one-time schedule's firing", 30*time.Second, func() bool { return countLines(t, p, "stats", "FIRED once") == 1 })
	waitUntil(t, "the one-time schedule deleted", 10*time.Second, func() bool {
		_, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("once")})
		var nf *schedtypes.ResourceNotFoundException
		return errors.As(err, &nf)
	})
	if _, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("every")}); err != nil {
		t.Errorf("the rate schedule: %v", err)
	}
}

// TestScheduleV2StackFiresAFunction: a SAM function's ScheduleV2 event
// (AWS::Scheduler::Schedule, with the role SAM makes for it) in an
// AWS::Scheduler::ScheduleGroup deploys and fires the function; the
// schedule is in its group, with the ARN Fn::GetAtt gives.
func TestScheduleV2StackFiresAFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::Scheduler::ScheduleGroup
    Properties:
      Name: jobs
      Tags:
        - Key: team
          Value: data
  Stats:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: stats
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    print('FIRED %s' % event['from'])\n"
      Events:
        Nightly:
          Type: ScheduleV2
          Properties:
            ScheduleExpression: rate(1 hour)
            GroupName: !Ref Jobs
            Input: '{"from":"sam"}'
Outputs:
  ScheduleArn:
    Value: !GetAtt StatsNightly.Arn
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	_, res := deployStack(t, p, dir, nil)
	if got, want := fmt.Sprint(res.Outputs["ScheduleArn"]), "arn:aws:scheduler:us-east-1:000000000000:schedule/jobs/StatsNightly"; got != want {
		t.Errorf("ScheduleArn output %s, want %s", got, want)
	}
	waitUntil(t, "the schedule's firing", 30*time.Second, func() bool { return countLines(t, p, "stats", "FIRED sam") == 1 })
	c := schedulerClientFor(url)
	got, err := c.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("StatsNightly"), GroupName: aws.String("jobs")})
	if err != nil || aws.ToString(got.ScheduleExpression) != "rate(1 hour)" {
		t.Fatalf("the stack's schedule: %+v %v", got, err)
	}
	tags, err := c.ListTagsForResource(ctx, &scheduler.ListTagsForResourceInput{ResourceArn: aws.String("arn:aws:scheduler:us-east-1:000000000000:schedule-group/jobs")})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("the group's tags: %+v %v", tags, err)
	}
}

// TestSchedulesRegionsAndReset: each region has its own schedules (and
// its own default group), with the region in their ARNs; a reset of
// "scheduler" drops them and leaves the default group.
func TestSchedulesRegionsAndReset(t *testing.T) {
	p := startPlatform(t, Options{})
	url := "http://" + p.EdgeAddr()
	ctx := context.Background()
	role := schedulerRole(t, url, "sched-role", true)
	east := schedulerClientFor(url)
	west := scheduler.New(scheduler.Options{Region: "us-west-2", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	far := time.Now().Add(48 * time.Hour)
	for _, c := range []*scheduler.Client{east, west} {
		in := scheduleInput("daily", "cron(0 3 * * ? *)", "stats", role)
		in.StartDate = aws.Time(far)
		if _, err := c.CreateSchedule(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	got, err := west.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("daily")})
	if err != nil || aws.ToString(got.Arn) != "arn:aws:scheduler:us-west-2:000000000000:schedule/default/daily" {
		t.Fatalf("west: %+v %v", got, err)
	}
	if _, err := west.DeleteSchedule(ctx, &scheduler.DeleteScheduleInput{Name: aws.String("daily")}); err != nil {
		t.Fatal(err)
	}
	if _, err := east.GetSchedule(ctx, &scheduler.GetScheduleInput{Name: aws.String("daily")}); err != nil {
		t.Fatalf("deleting west's schedule took east's: %v", err)
	}
	if _, err := p.Reset(ctx, []string{"scheduler"}); err != nil {
		t.Fatal(err)
	}
	list, err := east.ListSchedules(ctx, &scheduler.ListSchedulesInput{})
	if err != nil || len(list.Schedules) != 0 {
		t.Fatalf("after reset: %+v %v", list, err)
	}
	if _, err := east.GetScheduleGroup(ctx, &scheduler.GetScheduleGroupInput{Name: aws.String("default")}); err != nil {
		t.Fatalf("the default group after reset: %v", err)
	}
}

// TestSchedulesFireOnceWithTwoNodes: two nubo nodes on one NATS server;
// schedules created through either fire their function once in all.
func TestSchedulesFireOnceWithTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	url := backbonetest.Server(t)
	a := startPlatform(t, Options{NATSURL: url})
	b := startPlatform(t, Options{NATSURL: url})
	ctx := context.Background()
	dir := t.TempDir()
	tmpl := `Transform: AWS::Serverless-2016-10-31
Resources:
  Stats:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: stats
      Runtime: python3.12
      Handler: index.handler
      InlineCode: "def handler(event, context):\n    print('FIRED %s' % event['from'])\n"
`
	if err := os.WriteFile(filepath.Join(dir, "template.yaml"), []byte(tmpl), 0o644); err != nil {
		t.Fatal(err)
	}
	deployStack(t, a, dir, nil)
	role := schedulerRole(t, "http://"+a.EdgeAddr(), "sched-role", true)
	clients := []*scheduler.Client{schedulerClientFor("http://" + a.EdgeAddr()), schedulerClientFor("http://" + b.EdgeAddr())}
	due := time.Now().UTC().Add(2 * time.Second).Truncate(time.Second).Add(time.Second)
	names := []string{"a1", "b1", "a2", "b2"}
	for i, name := range names {
		if _, err := clients[i%2].CreateSchedule(ctx, scheduleInput(name, "at("+due.Format("2006-01-02T15:04:05")+")", "stats", role)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := clients[1].CreateSchedule(ctx, scheduleInput("rate", "rate(1 hour)", "stats", role)); err != nil {
		t.Fatal(err)
	}
	names = append(names, "rate")
	waitUntil(t, "every schedule's firing", 30*time.Second, func() bool {
		for _, n := range names {
			if countLines(t, a, "stats", "FIRED "+n) < 1 {
				return false
			}
		}
		return true
	})
	fence := time.Now().UTC().Add(time.Second).Truncate(time.Second).Add(time.Second)
	if _, err := clients[0].CreateSchedule(ctx, scheduleInput("fence", "at("+fence.Format("2006-01-02T15:04:05")+")", "stats", role)); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the fence", 30*time.Second, func() bool { return countLines(t, a, "stats", "FIRED fence") == 1 })
	for _, n := range names {
		if c := countLines(t, b, "stats", "FIRED "+n); c != 1 {
			t.Errorf("%s fired %d times", n, c)
		}
	}
}
