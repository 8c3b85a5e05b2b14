package stacks_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/stacks"
)

// cfnActions are the actions the CloudFormation API's operations ask.
var cfnActions = []string{"cloudformation:DescribeStacks", "cloudformation:ListStacks", "cloudformation:DescribeStackEvents",
	"cloudformation:DescribeStackResources", "cloudformation:DescribeStackResource", "cloudformation:ListStackResources",
	"cloudformation:CreateStack", "cloudformation:UpdateStack", "cloudformation:DeleteStack", "cloudformation:CreateChangeSet",
	"cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet", "cloudformation:DeleteChangeSet",
	"cloudformation:ListChangeSets", "cloudformation:ValidateTemplate", "cloudformation:GetTemplate", "cloudformation:GetTemplateSummary"}

const cfnTemplate = `Description: two things
Parameters:
  Greeting: {Type: String, Default: hello}
  Secret: {Type: String, NoEcho: true}
Resources:
  First: {Type: Test::Thing, Properties: {Name: !Sub "${AWS::StackName}-first", Value: !Ref Greeting}}
  Second: {Type: Test::Thing, Properties: {Value: !Ref First}}
Outputs:
  FirstName: {Value: !Ref First}
`

// waiter options: poll often (the work is local), bounded by the wait's deadline.
func fast(minDelay, maxDelay *time.Duration) {
	*minDelay, *maxDelay = 20*time.Millisecond, 200*time.Millisecond
}

func waitCreated(t *testing.T, c *cloudformation.Client, stack string) {
	t.Helper()
	w := cloudformation.NewStackCreateCompleteWaiter(c, func(o *cloudformation.StackCreateCompleteWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) })
	if err := w.Wait(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)}, time.Minute); err != nil {
		t.Fatalf("stack-create-complete %s: %v (%s)", stack, err, stackReason(c, stack))
	}
}

func waitUpdated(t *testing.T, c *cloudformation.Client, stack string) {
	t.Helper()
	w := cloudformation.NewStackUpdateCompleteWaiter(c, func(o *cloudformation.StackUpdateCompleteWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) })
	if err := w.Wait(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)}, time.Minute); err != nil {
		t.Fatalf("stack-update-complete %s: %v (%s)", stack, err, stackReason(c, stack))
	}
}

func waitDeleted(t *testing.T, c *cloudformation.Client, stack string) {
	t.Helper()
	w := cloudformation.NewStackDeleteCompleteWaiter(c, func(o *cloudformation.StackDeleteCompleteWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) })
	if err := w.Wait(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)}, time.Minute); err != nil {
		t.Fatalf("stack-delete-complete %s: %v (%s)", stack, err, stackReason(c, stack))
	}
}

func waitChangeSet(c *cloudformation.Client, stack, cs string) error {
	w := cloudformation.NewChangeSetCreateCompleteWaiter(c, func(o *cloudformation.ChangeSetCreateCompleteWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) })
	return w.Wait(context.Background(), &cloudformation.DescribeChangeSetInput{StackName: aws.String(stack), ChangeSetName: aws.String(cs)}, time.Minute)
}

func stackReason(c *cloudformation.Client, stack string) string {
	out, err := c.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil || len(out.Stacks) == 0 {
		return ""
	}
	return string(out.Stacks[0].StackStatus) + ": " + aws.ToString(out.Stacks[0].StackStatusReason)
}

func describeStack(t *testing.T, c *cloudformation.Client, stack string) types.Stack {
	t.Helper()
	out, err := c.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil || len(out.Stacks) != 1 {
		t.Fatalf("DescribeStacks %s: %v", stack, err)
	}
	return out.Stacks[0]
}

func wantAPIError(t *testing.T, what string, err error, code, msgPart string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msgPart) {
		t.Fatalf("%s: %v, want %s containing %q", what, err, code, msgPart)
	}
}

func params(kv ...string) []types.Parameter {
	var out []types.Parameter
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "<previous>" {
			out = append(out, types.Parameter{ParameterKey: aws.String(kv[i]), UsePreviousValue: aws.Bool(true)})
			continue
		}
		out = append(out, types.Parameter{ParameterKey: aws.String(kv[i]), ParameterValue: aws.String(kv[i+1])})
	}
	return out
}

func paramMap(ps []types.Parameter) map[string]string {
	out := map[string]string{}
	for _, p := range ps {
		out[aws.ToString(p.ParameterKey)] = aws.ToString(p.ParameterValue)
	}
	return out
}

// CreateStack, UpdateStack and DeleteStack through aws-sdk-go-v2's client:
// each answers at once, the stack progresses, and the SDK's waiters see it
// through CloudFormation's statuses; the template and resource reads
// answer as CloudFormation does.
func TestCloudFormationAPI_CreateUpdateDeleteStack(t *testing.T) {
	s := serveStacks(t)
	s.authz.set(cfnActions...)
	c := s.cloudFormation()
	ctx := context.Background()

	v, err := c.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(cfnTemplate)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(v.Description) != "two things" || len(v.Parameters) != 2 || aws.ToString(v.Parameters[0].ParameterKey) != "Greeting" ||
		aws.ToString(v.Parameters[0].DefaultValue) != "hello" || !aws.ToBool(v.Parameters[1].NoEcho) || len(v.Capabilities) != 0 {
		t.Fatalf("ValidateTemplate: %+v", v)
	}
	_, err = c.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String("Resources: [")})
	wantAPIError(t, "ValidateTemplate of a broken template", err, "ValidationError", "Template format error")
	sum, err := c.GetTemplateSummary(ctx, &cloudformation.GetTemplateSummaryInput{TemplateBody: aws.String(cfnTemplate)})
	if err != nil || !slices.Equal(sum.ResourceTypes, []string{"Test::Thing"}) || len(sum.Parameters) != 2 || aws.ToString(sum.Parameters[0].ParameterType) != "String" {
		t.Fatalf("GetTemplateSummary: %v %+v", err, sum)
	}
	_, err = c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateURL: aws.String("https://s3.amazonaws.com/b/t.yaml")})
	wantAPIError(t, "TemplateURL", err, "ValidationError", "nubo has no S3")
	_, err = c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(cfnTemplate)})
	wantAPIError(t, "a parameter without a value", err, "ValidationError", "Secret")

	created, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(cfnTemplate),
		Parameters: params("Secret", "s3cret"), Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("blue")}},
		ClientRequestToken: aws.String("create-1")})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.StackId)
	if !strings.HasPrefix(id, "arn:aws:cloudformation:us-east-1:"+testAccount+":stack/app/") {
		t.Fatalf("StackId %q", id)
	}
	// The same request again is the same stack; another is refused.
	again, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(cfnTemplate),
		Parameters: params("Secret", "s3cret"), ClientRequestToken: aws.String("create-1")})
	if err != nil || aws.ToString(again.StackId) != id {
		t.Fatalf("CreateStack retried: %v %v", err, again)
	}
	_, err = c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(cfnTemplate), Parameters: params("Secret", "x")})
	wantAPIError(t, "CreateStack of a stack that exists", err, "AlreadyExistsException", "Stack [app] already exists")
	waitCreated(t, c, "app")

	st := describeStack(t, c, "app")
	if aws.ToString(st.StackId) != id || aws.ToString(st.Description) != "two things" || len(st.Tags) != 1 || aws.ToString(st.Tags[0].Value) != "blue" ||
		paramMap(st.Parameters)["Secret"] != "****" || paramMap(st.Parameters)["Greeting"] != "hello" ||
		len(st.Outputs) != 1 || aws.ToString(st.Outputs[0].OutputValue) != "app-first" {
		t.Fatalf("DescribeStacks: %+v", st)
	}
	res, err := c.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("app")})
	if err != nil || len(res.StackResourceSummaries) != 2 || res.StackResourceSummaries[0].ResourceStatus != types.ResourceStatusCreateComplete ||
		aws.ToString(res.StackResourceSummaries[0].PhysicalResourceId) != "app-first" {
		t.Fatalf("ListStackResources: %v %+v", err, res)
	}
	one, err := c.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String(id), LogicalResourceId: aws.String("First")})
	if err != nil || aws.ToString(one.StackResourceDetail.PhysicalResourceId) != "app-first" || aws.ToString(one.StackResourceDetail.ResourceType) != "Test::Thing" {
		t.Fatalf("DescribeStackResource: %v %+v", err, one)
	}
	_, err = c.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("app"), LogicalResourceId: aws.String("Nope")})
	wantAPIError(t, "DescribeStackResource of a missing resource", err, "ValidationError", "Resource Nope does not exist for stack app")
	byPhys, err := c.DescribeStackResources(ctx, &cloudformation.DescribeStackResourcesInput{PhysicalResourceId: aws.String("app-first")})
	if err != nil || len(byPhys.StackResources) != 2 || aws.ToString(byPhys.StackResources[0].StackId) != id {
		t.Fatalf("DescribeStackResources by physical id: %v %+v", err, byPhys)
	}
	tmpl, err := c.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("app")})
	if err != nil || aws.ToString(tmpl.TemplateBody) != cfnTemplate {
		t.Fatalf("GetTemplate: %v %+v", err, tmpl)
	}
	processed, err := c.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("app"), TemplateStage: types.TemplateStageProcessed})
	if err != nil || !strings.HasPrefix(aws.ToString(processed.TemplateBody), "{") || !strings.Contains(aws.ToString(processed.TemplateBody), `"Test::Thing"`) {
		t.Fatalf("GetTemplate Processed: %v %+v", err, processed)
	}
	events, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("app")})
	if err != nil || len(events.StackEvents) == 0 || events.StackEvents[0].ResourceStatus != types.ResourceStatusCreateComplete ||
		aws.ToString(events.StackEvents[0].LogicalResourceId) != "app" || aws.ToString(events.StackEvents[0].PhysicalResourceId) != id ||
		aws.ToString(events.StackEvents[0].ClientRequestToken) != "create-1" {
		t.Fatalf("DescribeStackEvents: %v %+v", err, events)
	}

	// Updates: nothing to do is CloudFormation's ValidationError; a new
	// value, the secret kept with UsePreviousValue.
	_, err = c.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
		Parameters: params("Secret", "<previous>", "Greeting", "<previous>")})
	wantAPIError(t, "an update with no change", err, "ValidationError", "No updates are to be performed.")
	_, err = c.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("app"), UsePreviousTemplate: aws.Bool(true),
		Parameters: params("Secret", "<previous>", "Greeting", "bonjour")})
	if err != nil {
		t.Fatal(err)
	}
	if got := describeStack(t, c, "app").StackStatus; got != types.StackStatusUpdateInProgress && got != types.StackStatusUpdateComplete {
		t.Fatalf("status right after UpdateStack: %s", got)
	}
	waitUpdated(t, c, "app")
	s.f.thing.mu.Lock()
	live := s.f.thing.live["app-first"]
	s.f.thing.mu.Unlock()
	if live["Value"] != "bonjour" {
		t.Fatalf("First after the update: %v", live)
	}
	upd, err := c.DescribeStackResource(ctx, &cloudformation.DescribeStackResourceInput{StackName: aws.String("app"), LogicalResourceId: aws.String("First")})
	if err != nil || upd.StackResourceDetail.ResourceStatus != types.ResourceStatusUpdateComplete {
		t.Fatalf("First after the update: %v %+v", err, upd)
	}

	// Delete: the stack goes, its id still answers DELETE_COMPLETE, and
	// ListStacks lists it so.
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	waitDeleted(t, c, "app")
	_, err = c.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("app")})
	wantAPIError(t, "DescribeStacks of a deleted stack", err, "ValidationError", "Stack with id app does not exist")
	if gone := describeStack(t, c, id); gone.StackStatus != types.StackStatusDeleteComplete {
		t.Fatalf("deleted stack by id: %+v", gone)
	}
	list, err := c.ListStacks(ctx, &cloudformation.ListStacksInput{StackStatusFilter: []types.StackStatus{types.StackStatusDeleteComplete}})
	if err != nil || len(list.StackSummaries) != 1 || aws.ToString(list.StackSummaries[0].StackId) != id {
		t.Fatalf("ListStacks DELETE_COMPLETE: %v %+v", err, list)
	}
	if ids := s.f.thing.ids(); len(ids) != 0 {
		t.Fatalf("resources left: %v", ids)
	}
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("app")}); err != nil {
		t.Fatalf("DeleteStack of a stack that is gone: %v", err)
	}

	// A new stack of the same name has its own id and events.
	if _, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("app"), TemplateBody: aws.String(cfnTemplate),
		Parameters: params("Secret", "x")}); err != nil {
		t.Fatal(err)
	}
	waitCreated(t, c, "app")
	events, err = c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range events.StackEvents {
		if aws.ToString(ev.StackId) == id || aws.ToString(ev.PhysicalResourceId) == id || string(ev.ResourceStatus) == "DELETE_COMPLETE" {
			t.Fatalf("an event of the deleted stack: %+v", ev)
		}
	}
	old, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String(id)})
	if err != nil || len(old.StackEvents) == 0 || old.StackEvents[0].ResourceStatus != types.ResourceStatusDeleteComplete {
		t.Fatalf("events of the deleted stack by its id: %v %+v", err, old)
	}
}

// A create that fails rolls back: ROLLBACK_COMPLETE, which the create
// waiter reports as a failure, with the failure's events.
func TestCloudFormationAPI_FailedCreateRollsBack(t *testing.T) {
	s := serveStacks(t)
	s.authz.set(cfnActions...)
	c := s.cloudFormation()
	ctx := context.Background()
	s.f.thing.createFn = func(props stacks.Props) error {
		if props["Name"] == "bad" {
			return errors.New("injected failure")
		}
		return nil
	}
	_, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("broken"), TemplateBody: aws.String(`
Resources:
  Good: {Type: Test::Thing, Properties: {Name: good}}
  Bad: {Type: Test::Thing, Properties: {Name: bad}, DependsOn: Good}
`)})
	if err != nil {
		t.Fatal(err)
	}
	w := cloudformation.NewStackCreateCompleteWaiter(c, func(o *cloudformation.StackCreateCompleteWaiterOptions) { fast(&o.MinDelay, &o.MaxDelay) })
	if err := w.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("broken")}, time.Minute); err == nil {
		t.Fatal("the create waiter succeeded on a failed create")
	}
	st := describeStack(t, c, "broken")
	if st.StackStatus != types.StackStatusRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "injected failure") {
		t.Fatalf("after a failed create: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	events, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("broken")})
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	for _, ev := range events.StackEvents {
		seen = append(seen, aws.ToString(ev.LogicalResourceId)+" "+string(ev.ResourceStatus))
	}
	for _, want := range []string{"Bad CREATE_FAILED", "broken ROLLBACK_IN_PROGRESS", "Good DELETE_COMPLETE", "broken ROLLBACK_COMPLETE"} {
		if !slices.Contains(seen, want) {
			t.Errorf("no event %q in %v", want, seen)
		}
	}
	_, err = c.UpdateStack(ctx, &cloudformation.UpdateStackInput{StackName: aws.String("broken"), UsePreviousTemplate: aws.Bool(true)})
	wantAPIError(t, "update of a rolled-back stack", err, "ValidationError", "is in ROLLBACK_COMPLETE state and can not be updated.")
}

// Change sets are the engine's plans: a CREATE change set makes a
// REVIEW_IN_PROGRESS stack, executing it deploys exactly that plan; an
// UPDATE change set lists its changes as CloudFormation does, executing one
// drops the others, and one without changes fails with CloudFormation's
// reason.
func TestCloudFormationAPI_ChangeSets(t *testing.T) {
	s := serveStacks(t)
	s.authz.set(cfnActions...)
	c := s.cloudFormation()
	ctx := context.Background()

	cs, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("first"),
		ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(cfnTemplate), Parameters: params("Secret", "s")})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitChangeSet(c, "cs", aws.ToString(cs.Id)); err != nil {
		t.Fatal(err)
	}
	if st := describeStack(t, c, "cs"); st.StackStatus != types.StackStatusReviewInProgress || aws.ToString(st.StackId) != aws.ToString(cs.StackId) {
		t.Fatalf("stack of a CREATE change set: %+v", st)
	}
	review, err := c.DescribeStackEvents(ctx, &cloudformation.DescribeStackEventsInput{StackName: aws.String("cs")})
	if err != nil || len(review.StackEvents) != 1 || string(review.StackEvents[0].ResourceStatus) != "REVIEW_IN_PROGRESS" {
		t.Fatalf("events of a REVIEW_IN_PROGRESS stack: %v %+v", err, review)
	}
	d, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil {
		t.Fatal(err)
	}
	if d.Status != types.ChangeSetStatusCreateComplete || d.ExecutionStatus != types.ExecutionStatusAvailable || len(d.Changes) != 2 ||
		d.Changes[0].ResourceChange.Action != types.ChangeActionAdd || aws.ToString(d.Changes[0].ResourceChange.LogicalResourceId) != "First" ||
		paramMap(d.Parameters)["Secret"] != "****" {
		t.Fatalf("DescribeChangeSet: %+v", d)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: aws.String("first"), StackName: aws.String("cs")}); err != nil {
		t.Fatal(err)
	}
	waitCreated(t, c, "cs")
	done, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: aws.String("first"), StackName: aws.String("cs")})
	if err != nil || done.ExecutionStatus != types.ExecutionStatusExecuteComplete {
		t.Fatalf("executed change set: %v %+v", err, done)
	}
	_, err = c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id})
	wantAPIError(t, "a change set executed twice", err, "InvalidChangeSetStatus", "cannot be executed")

	// An update: Second's Value changes in place, First is replaced (its
	// Name is create-only).
	v2 := strings.Replace(strings.Replace(cfnTemplate, `!Sub "${AWS::StackName}-first"`, `!Sub "${AWS::StackName}-one"`, 1), "{Value: !Ref First}", "{Value: !Sub \"${First}-2\"}", 1)
	upd, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("second"),
		TemplateBody: aws.String(v2), Parameters: params("Secret", "<previous>"), Description: aws.String("rename")})
	if err != nil {
		t.Fatal(err)
	}
	other, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("other"),
		TemplateBody: aws.String(v2), Parameters: params("Secret", "other")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("other"),
		TemplateBody: aws.String(v2), Parameters: params("Secret", "other")})
	wantAPIError(t, "a change set name twice", err, "AlreadyExistsException", "other")
	if err := waitChangeSet(c, "cs", "second"); err != nil {
		t.Fatal(err)
	}
	d, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: upd.Id})
	if err != nil || len(d.Changes) != 2 {
		t.Fatalf("DescribeChangeSet update: %v %+v", err, d)
	}
	first, second := d.Changes[0].ResourceChange, d.Changes[1].ResourceChange
	if first.Action != types.ChangeActionModify || first.Replacement != types.ReplacementTrue || aws.ToString(first.PhysicalResourceId) != "cs-first" ||
		len(first.Details) == 0 || aws.ToString(first.Details[0].Target.Name) != "Name" || first.Details[0].Target.RequiresRecreation != types.RequiresRecreationAlways {
		t.Fatalf("First's change: %+v", first)
	}
	if second.Action != types.ChangeActionModify || second.Replacement != types.ReplacementFalse || aws.ToString(d.Description) != "rename" {
		t.Fatalf("Second's change: %+v", second)
	}
	lcs, err := c.ListChangeSets(ctx, &cloudformation.ListChangeSetsInput{StackName: aws.String("cs")})
	if err != nil || len(lcs.Summaries) != 3 {
		t.Fatalf("ListChangeSets: %v %+v", err, lcs)
	}
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: upd.Id}); err != nil {
		t.Fatal(err)
	}
	waitUpdated(t, c, "cs")
	if out := describeStack(t, c, "cs").Outputs; len(out) != 1 || aws.ToString(out[0].OutputValue) != "cs-one" {
		t.Fatalf("outputs after the change set: %+v", out)
	}
	_, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: other.Id})
	wantAPIError(t, "a change set dropped by another's execution", err, "ChangeSetNotFound", "does not exist")

	// No changes: FAILED with CloudFormation's reason (aws cloudformation
	// deploy reads it), and the waiter fails.
	empty, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("cs"), ChangeSetName: aws.String("empty"),
		UsePreviousTemplate: aws.Bool(true), Parameters: params("Secret", "<previous>", "Greeting", "<previous>")})
	if err != nil {
		t.Fatal(err)
	}
	if err := waitChangeSet(c, "cs", "empty"); err == nil {
		t.Fatal("the change set waiter succeeded on an empty change set")
	}
	d, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: empty.Id})
	if err != nil || d.Status != types.ChangeSetStatusFailed || d.ExecutionStatus != types.ExecutionStatusUnavailable ||
		!strings.Contains(aws.ToString(d.StatusReason), "The submitted information didn't contain changes.") {
		t.Fatalf("empty change set: %v %+v", err, d)
	}
	if _, err := c.DeleteChangeSet(ctx, &cloudformation.DeleteChangeSetInput{ChangeSetName: aws.String("empty"), StackName: aws.String("cs")}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: empty.Id})
	wantAPIError(t, "a deleted change set", err, "ChangeSetNotFound", "does not exist")
	_, err = c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("nostack"), ChangeSetName: aws.String("x"),
		TemplateBody: aws.String(v2)})
	wantAPIError(t, "an UPDATE change set of no stack", err, "ValidationError", "Stack [nostack] does not exist")
	ct, err := c.GetTemplate(ctx, &cloudformation.GetTemplateInput{StackName: aws.String("cs"), ChangeSetName: aws.String("second")})
	if err != nil || aws.ToString(ct.TemplateBody) != v2 {
		t.Fatalf("GetTemplate of a change set: %v %+v", err, ct)
	}
}

// Capabilities are required as CloudFormation requires them: IAM
// resources need CAPABILITY_IAM, named ones CAPABILITY_NAMED_IAM. A
// template whose code is a local path is refused: the API gets no files.
func TestCloudFormationAPI_Capabilities(t *testing.T) {
	s := serveStacks(t)
	s.authz.set(cfnActions...)
	c := s.cloudFormation()
	ctx := context.Background()
	role := `Resources:
  R: {Type: AWS::IAM::Role, Properties: {AssumeRolePolicyDocument: {}}}
`
	named := `Resources:
  R: {Type: AWS::IAM::Role, Properties: {RoleName: fixed, AssumeRolePolicyDocument: {}}}
`
	for _, tc := range []struct {
		tmpl string
		caps []types.Capability
		want string
	}{
		{role, nil, "Requires capabilities : [CAPABILITY_IAM]"},
		{named, []types.Capability{types.CapabilityCapabilityIam}, "Requires capabilities : [CAPABILITY_NAMED_IAM]"},
	} {
		_, err := c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("iam"), TemplateBody: aws.String(tc.tmpl), Capabilities: tc.caps})
		wantAPIError(t, "CreateStack without "+tc.want, err, "InsufficientCapabilitiesException", tc.want)
		_, err = c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("iam"), ChangeSetName: aws.String("c"),
			ChangeSetType: types.ChangeSetTypeCreate, TemplateBody: aws.String(tc.tmpl), Capabilities: tc.caps})
		wantAPIError(t, "CreateChangeSet without "+tc.want, err, "InsufficientCapabilitiesException", tc.want)
	}
	v, err := c.ValidateTemplate(ctx, &cloudformation.ValidateTemplateInput{TemplateBody: aws.String(named)})
	if err != nil || !slices.Equal(v.Capabilities, []types.Capability{types.CapabilityCapabilityNamedIam}) ||
		!strings.Contains(aws.ToString(v.CapabilitiesReason), "AWS::IAM::Role") {
		t.Fatalf("ValidateTemplate capabilities: %v %+v", err, v)
	}
	// Acknowledged, the template goes on to the engine (which has no IAM
	// provider in this test): the capability is no longer the refusal.
	_, err = c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("iam"), TemplateBody: aws.String(named),
		Capabilities: []types.Capability{types.CapabilityCapabilityNamedIam}})
	wantAPIError(t, "CreateStack with the capability", err, "ValidationError", "AWS::IAM::Role is not supported")

	// Code in local files does not come with the template: nubo deploy.
	_, err = c.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String("local"), TemplateBody: aws.String(`Resources:
  Fn: {Type: AWS::Lambda::Function, Properties: {Code: ./src, Runtime: python3.12, Handler: index.handler, Role: r}}
`)})
	wantAPIError(t, "CreateStack of local code", err, "ValidationError", "its code is the local path \"./src\"")
}

// waitSettled polls DescribeStacks until the stack is no longer in progress.
func waitSettled(t *testing.T, c *cloudformation.Client, stack string) types.Stack {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		st := describeStack(t, c, stack)
		if !strings.HasSuffix(string(st.StackStatus), "_IN_PROGRESS") {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("stack %s still %s", stack, st.StackStatus)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Operations accepted but that cannot run end as CloudFormation reports
// them: a delete refused (an export in use) is DELETE_FAILED; a change set
// whose stack changed since it was made does not apply another plan: the
// execution fails and the stack is left as it was.
func TestCloudFormationAPI_OperationsThatCannotRun(t *testing.T) {
	s := serveStacks(t)
	s.authz.set(cfnActions...)
	c := s.cloudFormation()
	ctx := context.Background()
	s.f.mustDeploy(t, "shared", `
Resources:
  Bus: {Type: Test::Thing, Properties: {Name: bus}}
Outputs:
  BusName: {Value: !Ref Bus, Export: {Name: shared-bus}}
`, nil)
	s.f.mustDeploy(t, "user", `
Resources:
  Sub: {Type: Test::Thing, Properties: {Name: sub, Value: !ImportValue shared-bus}}
`, nil)
	if _, err := c.DeleteStack(ctx, &cloudformation.DeleteStackInput{StackName: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	if st := waitSettled(t, c, "shared"); st.StackStatus != types.StackStatusDeleteFailed || !strings.Contains(aws.ToString(st.StackStatusReason), "imported by stack(s) user") {
		t.Fatalf("delete of an imported export's stack: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}

	cs, err := c.CreateChangeSet(ctx, &cloudformation.CreateChangeSetInput{StackName: aws.String("user"), ChangeSetName: aws.String("late"),
		TemplateBody: aws.String("Resources:\n  Sub: {Type: Test::Thing, Properties: {Name: sub, Value: changed}}\n")})
	if err != nil {
		t.Fatal(err)
	}
	s.f.mustDeploy(t, "user", "Resources:\n  Sub: {Type: Test::Thing, Properties: {Name: sub, Value: meanwhile}}\n", nil)
	if _, err := c.ExecuteChangeSet(ctx, &cloudformation.ExecuteChangeSetInput{ChangeSetName: cs.Id}); err != nil {
		t.Fatal(err)
	}
	st := waitSettled(t, c, "user")
	if st.StackStatus != types.StackStatusUpdateRollbackComplete || !strings.Contains(aws.ToString(st.StackStatusReason), "the plan changed") {
		t.Fatalf("a stale change set executed: %s %s", st.StackStatus, aws.ToString(st.StackStatusReason))
	}
	d, err := c.DescribeChangeSet(ctx, &cloudformation.DescribeChangeSetInput{ChangeSetName: cs.Id})
	if err != nil || d.ExecutionStatus != types.ExecutionStatusExecuteFailed {
		t.Fatalf("the stale change set: %v %+v", err, d)
	}
	s.f.thing.mu.Lock()
	value := s.f.thing.live["sub"]["Value"]
	s.f.thing.mu.Unlock()
	if value != "meanwhile" {
		t.Fatalf("Sub's value %v, want the deployment's, untouched", value)
	}
}
