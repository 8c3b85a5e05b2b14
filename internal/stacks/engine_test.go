package stacks_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/nubo-run/nubo/internal/backbone/backbonetest"

	"github.com/nubo-run/nubo/internal/stacks"
)

const threeThings = `
Resources:
  A:
    Type: Test::Thing
    Properties: {Name: a, Value: one}
  B:
    Type: Test::Thing
    Properties: {Name: b, Value: !GetAtt A.Value}
  C:
    Type: Test::Thing
    Properties: {Name: c, Value: !Ref B}
Outputs:
  CName: {Value: !Ref C}
`

func TestDeploy_RollbackAfterInjectedFailure(t *testing.T) {
	f := newFixture(t)
	f.mustDeploy(t, "app", threeThings, nil)
	before := f.thing.ids()

	// Deployment 2 updates A, creates D, and C's update fails.
	next := `
Resources:
  A: {Type: Test::Thing, Properties: {Name: a, Value: two}}
  B: {Type: Test::Thing, Properties: {Name: b, Value: !GetAtt A.Value}}
  C: {Type: Test::Thing, DependsOn: D, Properties: {Name: c, Value: !Sub "${B}-changed"}}
  D: {Type: Test::Thing, Properties: {Name: d, Value: new}}
`
	f.thing.updateFn = func(id string, props stacks.Props) error {
		if id == "c" {
			return errors.New("injected failure")
		}
		return nil
	}
	var events []stacks.Event
	var mu sync.Mutex
	_, err := f.e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "app", Template: next}},
		func(ev stacks.Event) { mu.Lock(); events = append(events, ev); mu.Unlock() })
	if err == nil || !strings.Contains(err.Error(), "injected failure") {
		t.Fatalf("deploy: %v, want the injected failure", err)
	}
	f.thing.updateFn = nil
	if diff := cmp.Diff(before, f.thing.ids()); diff != "" {
		t.Errorf("resources after rollback (-before +after):\n%s", diff)
	}
	if v, _ := f.thing.Read(context.Background(), "a"); v["Value"] != "one" {
		t.Errorf("A after rollback: %v, want Value one", v)
	}
	st, err := f.e.Describe(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	if st.Status != stacks.StatusUpdateRollbackComplete {
		t.Errorf("status %s, want %s", st.Status, stacks.StatusUpdateRollbackComplete)
	}
	if st.Resources["A"].Props["Value"] != "one" || st.Resources["D"] != nil {
		t.Errorf("state after rollback: A=%v D=%v", st.Resources["A"].Props, st.Resources["D"])
	}
	var sawFailed, sawRollback bool
	for _, ev := range events {
		sawFailed = sawFailed || ev.LogicalID == "C" && ev.Status == "UPDATE_FAILED"
		sawRollback = sawRollback || ev.Status == "UPDATE_ROLLBACK_IN_PROGRESS"
	}
	if !sawFailed || !sawRollback {
		t.Errorf("events lack UPDATE_FAILED of C (%v) or UPDATE_ROLLBACK_IN_PROGRESS (%v)", sawFailed, sawRollback)
	}
	// The stored events replay the same story.
	stored, err := f.e.Events(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	if len(stored) < len(events) {
		t.Errorf("stored %d events, streamed %d", len(stored), len(events))
	}
	// A deployment after the rollback works.
	f.mustDeploy(t, "app", threeThings, nil)
}

func TestDeploy_NoRollbackKeepsWhatSucceeded(t *testing.T) {
	f := newFixture(t)
	f.thing.createFn = func(p stacks.Props) error {
		if p["Name"] == "c" {
			return errors.New("injected failure")
		}
		return nil
	}
	_, err := f.e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "app", Template: threeThings}, NoRollback: true}, nil)
	if err == nil {
		t.Fatal("deploy succeeded, want the injected failure")
	}
	if diff := cmp.Diff([]string{"a", "b"}, f.thing.ids()); diff != "" {
		t.Errorf("kept resources (-want +got):\n%s", diff)
	}
	st, _ := f.e.Describe(context.Background(), "app")
	if st.Status != stacks.StatusCreateFailed {
		t.Errorf("status %s, want CREATE_FAILED", st.Status)
	}
	f.thing.createFn = nil
	res := f.mustDeploy(t, "app", threeThings, nil)
	if res.Status != stacks.StatusCreateComplete || res.Outputs["CName"] != "c" {
		t.Errorf("redeploy: %+v", res)
	}
}

func TestDeploy_LockRefusesSecondDeployment(t *testing.T) {
	f := newFixture(t)
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	f.thing.createFn = func(stacks.Props) error {
		once.Do(func() { close(entered) })
		<-release
		return nil
	}
	done := make(chan error, 1)
	go func() {
		_, err := f.deploy(t, "app", threeThings, nil)
		done <- err
	}()
	<-entered
	_, err := f.deploy(t, "app", threeThings, nil)
	if !errors.Is(err, stacks.ErrStackBusy) || !strings.Contains(err.Error(), `stack "app"`) {
		t.Errorf("second deployment: %v, want %v naming the stack", err, stacks.ErrStackBusy)
	}
	_, err = f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "app"}, nil)
	if !errors.Is(err, stacks.ErrStackBusy) {
		t.Errorf("destroy during deployment: %v, want busy", err)
	}
	// Another stack is not blocked.
	f2 := strings.NewReplacer("Name: a", "Name: oa", "Name: b", "Name: ob", "Name: c", "Name: oc").Replace(threeThings)
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	f.thing.createFn = nil
	f.mustDeploy(t, "other", f2, nil)
}

func TestStatefulStack_RefusesDataLossUnlessAllowed(t *testing.T) {
	f := newFixture(t)
	tmpl := `
Nubo: {Class: stateful}
Resources:
  Table: {Type: Test::Data, Properties: {Name: orders}}
  Archive: {Type: Test::Data, DeletionPolicy: Retain, Properties: {Name: archive}}
`
	f.mustDeploy(t, "data", tmpl, nil)
	replaced := strings.Replace(tmpl, "Name: orders", "Name: orders2", 1)
	_, err := f.deploy(t, "data", replaced, nil)
	if !errors.Is(err, stacks.ErrRefused) || !strings.Contains(err.Error(), "--allow-data-loss") {
		t.Fatalf("replace in a stateful stack: %v, want a refusal naming --allow-data-loss", err)
	}
	if diff := cmp.Diff([]string{"archive", "orders"}, f.data.ids()); diff != "" {
		t.Errorf("refused plan changed data (-want +got):\n%s", diff)
	}
	_, err = f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "data"}, nil)
	if !errors.Is(err, stacks.ErrRefused) {
		t.Fatalf("destroy of a stateful stack: %v, want refused", err)
	}
	_, err = f.e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "data", Template: replaced, AllowDataLoss: true}}, nil)
	if err != nil {
		t.Fatalf("with --allow-data-loss: %v", err)
	}
	if diff := cmp.Diff([]string{"archive", "orders2"}, f.data.ids()); diff != "" {
		t.Errorf("after allowed replace (-want +got):\n%s", diff)
	}
	if _, err := f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "data", AllowDataLoss: true}, nil); err != nil {
		t.Fatal(err)
	}
	// DeletionPolicy: Retain keeps the archive.
	if diff := cmp.Diff([]string{"archive"}, f.data.ids()); diff != "" {
		t.Errorf("after destroy (-want +got):\n%s", diff)
	}
	if _, err := f.e.Describe(context.Background(), "data"); !errors.Is(err, stacks.ErrStackNotFound) {
		t.Errorf("describe after destroy: %v", err)
	}
}

func TestStatelessStack_DestroyIsCheap(t *testing.T) {
	f := newFixture(t)
	f.mustDeploy(t, "plumbing", threeThings, nil)
	if _, err := f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "plumbing"}, nil); err != nil {
		t.Fatal(err)
	}
	if ids := f.thing.ids(); len(ids) != 0 {
		t.Errorf("left %v", ids)
	}
	// Dependents are deleted before what they depend on.
	var order []string
	for _, c := range f.thing.calls {
		if strings.HasPrefix(c, "delete ") {
			order = append(order, strings.TrimPrefix(c, "delete "))
		}
	}
	if diff := cmp.Diff([]string{"c", "b", "a"}, order); diff != "" {
		t.Errorf("delete order (-want +got):\n%s", diff)
	}
}

func TestExports_IntegrityAcrossStacks(t *testing.T) {
	f := newFixture(t)
	shared := `
Resources:
  Bus: {Type: Test::Thing, Properties: {Name: bus, Value: v1}}
Outputs:
  BusName:
    Value: !Ref Bus
    Export: {Name: !Sub "${AWS::StackName}-bus"}
  BusValue:
    Value: !GetAtt Bus.Value
    Export: {Name: shared-bus-value}
`
	user := `
Resources:
  Sub: {Type: Test::Thing, Properties: {Name: sub, Value: !ImportValue shared-bus}}
`
	// Importing before the export exists is a template error naming the import.
	if _, err := f.deploy(t, "user", user, nil); err == nil || !strings.Contains(err.Error(), `Fn::ImportValue "shared-bus"`) {
		t.Fatalf("import of a missing export: %v", err)
	}
	f.mustDeploy(t, "shared", shared, nil)
	f.mustDeploy(t, "user", user, nil)
	if v, _ := f.thing.Read(context.Background(), "sub"); v["Value"] != "bus" {
		t.Errorf("imported value: %v", v)
	}
	// A second stack cannot export the same name.
	dup := `
Resources:
  X: {Type: Test::Thing, Properties: {Name: x}}
Outputs:
  Y: {Value: !Ref X, Export: {Name: shared-bus}}
`
	if _, err := f.deploy(t, "dup", dup, nil); err == nil || !strings.Contains(err.Error(), `already exported by stack "shared"`) {
		t.Errorf("duplicate export: %v", err)
	}
	// Removing or changing an imported export is refused, naming the importer.
	noExport := strings.Replace(shared, "    Export: {Name: !Sub \"${AWS::StackName}-bus\"}\n", "", 1)
	if _, err := f.deploy(t, "shared", noExport, nil); !errors.Is(err, stacks.ErrRefused) || !strings.Contains(err.Error(), "user") {
		t.Errorf("removing an imported export: %v", err)
	}
	renamed := strings.Replace(shared, "Name: bus,", "Name: bus2,", 1)
	if _, err := f.deploy(t, "shared", renamed, nil); err == nil || !strings.Contains(err.Error(), "user") {
		t.Errorf("changing an imported export: %v", err)
	}
	if v, _ := f.thing.Read(context.Background(), "bus"); v == nil {
		t.Error("bus was replaced although its export is in use")
	}
	// An export nobody imports may change.
	if _, err := f.deploy(t, "shared", strings.Replace(shared, "v1", "v2", 1), nil); err != nil {
		t.Errorf("changing an unused export: %v", err)
	}
	// The exporting stack cannot be destroyed while imported.
	if _, err := f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "shared"}, nil); !errors.Is(err, stacks.ErrRefused) || !strings.Contains(err.Error(), "user") {
		t.Errorf("destroying an imported stack: %v", err)
	}
	list, err := f.e.Exports(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []stacks.ExportInfo{
		{Name: "shared-bus", Value: "bus", Stack: "shared", Importers: []string{"user"}},
		{Name: "shared-bus-value", Value: "v2", Stack: "shared"},
	}
	if diff := cmp.Diff(want, list); diff != "" {
		t.Errorf("exports (-want +got):\n%s", diff)
	}
	if _, err := f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "user"}, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "shared"}, nil); err != nil {
		t.Fatalf("destroy after the importer left: %v", err)
	}
	if list, _ := f.e.Exports(context.Background()); len(list) != 0 {
		t.Errorf("exports left: %v", list)
	}
}

func TestDrift_DetectsLiveChanges(t *testing.T) {
	f := newFixture(t)
	f.mustDeploy(t, "app", threeThings, nil)
	f.thing.mu.Lock()
	f.thing.live["b"]["Value"] = "changed by hand"
	delete(f.thing.live, "c")
	f.thing.mu.Unlock()
	rep, err := f.e.Drift(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rep.Resources {
		got[r.LogicalID] = r.Status
	}
	want := map[string]string{"A": stacks.DriftInSync, "B": stacks.DriftModified, "C": stacks.DriftDeleted}
	if diff := cmp.Diff(want, got); diff != "" || rep.Status != "DRIFTED" {
		t.Errorf("drift %s (-want +got):\n%s", rep.Status, diff)
	}
}

func TestDeploy_Versioned(t *testing.T) {
	f := newFixture(t)
	f.mustDeploy(t, "app", threeThings, nil)
	res := f.mustDeploy(t, "app", strings.Replace(threeThings, "Value: one", "Value: two", 1), nil)
	if res.Version != 2 {
		t.Errorf("version %d, want 2", res.Version)
	}
	// An unchanged deployment records nothing new.
	if res := f.mustDeploy(t, "app", strings.Replace(threeThings, "Value: one", "Value: two", 1), nil); res.Version != 2 || !res.Plan.Empty() {
		t.Errorf("no-op deployment: version %d, empty %v", res.Version, res.Plan.Empty())
	}
	h, err := f.e.History(context.Background(), "app")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Resources["A"].Props["Value"] != "one" || h[1].Resources["A"].Props["Value"] != "two" {
		t.Errorf("history: %d entries", len(h))
	}
}

func TestDeploy_StalePlanRefused(t *testing.T) {
	f := newFixture(t)
	p, err := f.e.Plan(context.Background(), stacks.PlanRequest{Stack: "app", Template: threeThings})
	if err != nil {
		t.Fatal(err)
	}
	f.mustDeploy(t, "app", threeThings, nil)
	_, err = f.e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "app", Template: threeThings}, PlanDigest: p.Digest}, nil)
	if !errors.Is(err, stacks.ErrRefused) {
		t.Errorf("deploy of a stale plan: %v", err)
	}
}

func TestParameters_SSMTypeAndNoEcho(t *testing.T) {
	f := newFixture(t)
	tmpl := `
Parameters:
  Size: {Type: "AWS::SSM::Parameter::Value<String>", Default: /config/size}
  Password: {Type: String, NoEcho: true}
Resources:
  A: {Type: Test::Thing, Properties: {Name: a, Value: !Sub "${Size}:${Password}"}}
`
	res := f.mustDeploy(t, "app", tmpl, map[string]string{"Password": "pw-123"})
	if v, _ := f.thing.Read(context.Background(), "a"); v["Value"] != "42:pw-123" {
		t.Errorf("value %v", v["Value"])
	}
	for _, c := range res.Plan.Changes {
		for _, p := range c.Props {
			if strings.Contains(p.New, "pw-123") {
				t.Errorf("plan shows the NoEcho value: %s", p.New)
			}
		}
	}
	st, _ := f.e.Describe(context.Background(), "app")
	if st.Parameters["Password"] != stacks.Masked {
		t.Errorf("described parameter %q, want masked", st.Parameters["Password"])
	}
	// Parameters are reused from the previous deployment.
	if _, err := f.deploy(t, "app", tmpl, nil); err != nil {
		t.Errorf("redeploy without parameters: %v", err)
	}
	_, err := f.deploy(t, "fresh", tmpl, nil)
	if err == nil || !strings.Contains(err.Error(), "Password has no value") {
		t.Errorf("missing parameter: %v", err)
	}
}

func TestDeploy_ParallelWalkRespectsDependencies(t *testing.T) {
	f := newFixture(t)
	var mu sync.Mutex
	created := map[string]time.Time{}
	f.thing.createFn = func(p stacks.Props) error {
		mu.Lock()
		defer mu.Unlock()
		created[p["Name"].(string)] = time.Now()
		return nil
	}
	var b strings.Builder
	b.WriteString("Resources:\n  Root: {Type: Test::Thing, Properties: {Name: root}}\n")
	for _, n := range []string{"L1", "L2", "L3", "L4", "L5", "L6"} {
		b.WriteString("  " + n + ": {Type: Test::Thing, Properties: {Name: " + n + ", Value: !Ref Root}}\n")
	}
	b.WriteString("  Leaf: {Type: Test::Thing, DependsOn: [L1, L6], Properties: {Name: leaf}}\n")
	f.mustDeploy(t, "app", b.String(), nil)
	for _, n := range []string{"L1", "L6"} {
		if !created["root"].Before(created[n]) || !created[n].Before(created["leaf"]) {
			t.Errorf("order: root %v, %s %v, leaf %v", created["root"], n, created[n], created["leaf"])
		}
	}
}

// codeProvider is a fake with the package hook: it turns CodeUri (a local
// path) into a content hash, so a source change shows in the plan.
type codeProvider struct {
	*fakeProvider
	content map[string]string
}

func (c *codeProvider) Package(ctx context.Context, baseDir string, props stacks.Props, _ map[string]any) (stacks.Props, error) {
	out := stacks.Props{}
	for k, v := range props {
		out[k] = v
	}
	if uri, ok := props["Value"].(string); ok && strings.HasPrefix(uri, "./") {
		out["Value"] = "sha256:" + c.content[baseDir+"/"+uri]
	}
	return out, nil
}

func TestPackageHook_SourceChangeShowsInPlan(t *testing.T) {
	code := &codeProvider{fakeProvider: newFake("Test::Code", false), content: map[string]string{"/src/./fn": "v1"}}
	reg, _ := stacks.NewRegistry(code)
	tmpl := "Resources:\n  Fn: {Type: Test::Code, Properties: {Name: fn, Value: ./fn}}\n"
	bb := backbonetest.New(t)
	eng, err := stacks.New(stacks.Options{Backbone: bb, Registry: reg})
	if err != nil {
		t.Fatal(err)
	}
	if err := eng.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	req := stacks.PlanRequest{Stack: "code", Template: tmpl, BaseDir: "/src"}
	if _, err := eng.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: req}, nil); err != nil {
		t.Fatal(err)
	}
	if v, _ := code.Read(context.Background(), "fn"); v["Value"] != "sha256:v1" {
		t.Errorf("deployed %v", v)
	}
	p, _ := eng.Plan(context.Background(), req)
	if !p.Empty() {
		t.Errorf("unchanged source planned changes: %+v", p.Changes)
	}
	code.content["/src/./fn"] = "v2"
	p, err = eng.Plan(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Changes) != 1 || p.Changes[0].Action != stacks.ActionUpdate || p.Changes[0].Props[0].New != `"sha256:v2"` {
		t.Errorf("source change: %+v", p.Changes)
	}
}

func TestDynamicReferenceToSSM(t *testing.T) {
	f := newFixture(t)
	f.mustDeploy(t, "app", "Resources:\n  A: {Type: Test::Thing, Properties: {Name: a, Value: 'size={{resolve:ssm:/config/size}} v={{resolve:ssm:/config/size:3}}'}}\n", nil)
	if v, _ := f.thing.Read(context.Background(), "a"); v["Value"] != "size=42 v=42" {
		t.Errorf("value %v", v["Value"])
	}
	_, err := f.deploy(t, "bad", "Resources:\n  A: {Type: Test::Thing, Properties: {Value: '{{resolve:ssm:/nope}}'}}\n", nil)
	if err == nil || !strings.Contains(err.Error(), "Resources/A/Properties") || !strings.Contains(err.Error(), "{{resolve:ssm:/nope}}") {
		t.Errorf("missing parameter: %v", err)
	}
}

func TestTransform_GetsTheStackEnvironment(t *testing.T) {
	thing := newFake("Test::Thing", false)
	reg, _ := stacks.NewRegistry(thing)
	var got stacks.Pseudo
	e, err := stacks.New(stacks.Options{Backbone: backbonetest.New(t), Registry: reg,
		Transform: func(m map[string]any, env stacks.Pseudo) (map[string]any, error) {
			got = env
			res := m["Resources"].(map[string]any)
			res["Fn"] = map[string]any{"Type": "Test::Thing", "Properties": map[string]any{"Name": "fn"}}
			return m, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tmpl := "Transform: AWS::Serverless-2016-10-31\nResources: {}\n"
	if _, err := e.Deploy(context.Background(), stacks.DeployRequest{PlanRequest: stacks.PlanRequest{Stack: "sam", Template: tmpl}}, nil); err != nil {
		t.Fatal(err)
	}
	if got.StackName != "sam" || got.Region != "us-east-1" || got.AccountID != "000000000000" || got.Partition != "aws" {
		t.Errorf("transform saw %+v", got)
	}
	if ids := thing.ids(); len(ids) != 1 || ids[0] != "fn" {
		t.Errorf("resources %v", ids)
	}
}

func TestDeploy_AfterDestroyKeepsCounting(t *testing.T) {
	f := newFixture(t)
	f.mustDeploy(t, "app", threeThings, nil)
	if _, err := f.e.Destroy(context.Background(), stacks.DestroyRequest{Stack: "app"}, nil); err != nil {
		t.Fatal(err)
	}
	if res := f.mustDeploy(t, "app", threeThings, nil); res.Version != 3 {
		t.Errorf("version %d, want 3 (1 deploy, 2 destroy)", res.Version)
	}
	h, _ := f.e.History(context.Background(), "app")
	var statuses []string
	for _, s := range h {
		statuses = append(statuses, s.Status)
	}
	if diff := cmp.Diff([]string{"CREATE_COMPLETE", "DELETE_COMPLETE", "CREATE_COMPLETE"}, statuses); diff != "" {
		t.Error(diff)
	}
}
