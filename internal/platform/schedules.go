package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/iam"
	"github.com/nubo-run/nubo/internal/queues"
	"github.com/nubo-run/nubo/internal/schedules"
	"github.com/nubo-run/nubo/internal/stacks"
)

// schedulesModule is EventBridge Scheduler: schedules and groups, the
// Scheduler API, and the firing of schedules' function targets.
type schedulesModule struct{}

func (schedulesModule) name() string { return "scheduler" }
func (schedulesModule) scope() scope { return regional }
func (m schedulesModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (m schedulesModule) build(p *Platform) (err error) {
	fns := scheduleFunctions{fns: p.Functions}
	var roles schedules.Roles
	if rc := p.roleChecker(); rc != nil {
		roles = scheduleRoles{roles: rc, authz: p.authorizer(), policies: p.Policies}
	}
	var dlq schedules.DeadLetters
	if p.Queues != nil {
		dlq = scheduleDeadLetters{q: p.Queues, account: p.account.ID}
	}
	p.Schedules, err = schedules.New(schedules.Options{Backbone: p.view(m.name()), Account: p.account,
		Authorizer: p.authorizer(), Functions: fns, Roles: roles, DeadLetters: dlq,
		Logger: p.opts.Logger.With("part", "schedules")})
	return err
}

func (schedulesModule) contribute(p *Platform) (contribution, error) {
	api, err := p.Schedules.API()
	return contribution{
		parts:     []part{{"schedules", p.Schedules}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{schedules.NewScheduleProvider(p.Schedules), schedules.NewGroupProvider(p.Schedules)},
	}, err
}

// functionRef reads a function's name (and qualifier) from its ARN.
func functionRef(arn string) (string, error) {
	a, err := awsapi.ParseARN(arn)
	ref, ok := strings.CutPrefix(a.Resource, "function:")
	if err != nil || a.Service != "lambda" || !ok || ref == "" {
		return "", fmt.Errorf("%q is not a function ARN", arn)
	}
	return ref, nil
}

// scheduleFunctions invokes schedules' function targets asynchronously.
type scheduleFunctions struct{ fns *functions.Service }

func (f scheduleFunctions) InvokeAsync(ctx context.Context, arn string, payload []byte) error {
	ref, err := functionRef(arn)
	if err != nil {
		return err
	}
	_, err = f.fns.InvokeAsync(ctx, ref, payload)
	return err
}

// scheduleRoles checks a target's execution role: it trusts
// scheduler.amazonaws.com, and its policies (or the function's policy
// naming it) allow lambda:InvokeFunction on the target.
type scheduleRoles struct {
	roles    functions.RoleChecker
	authz    awsapi.Authorizer
	policies *functions.PolicyStore
}

const schedulerPrincipal = "scheduler.amazonaws.com"

func (r scheduleRoles) MayInvoke(ctx context.Context, roleARN, functionARN string) error {
	exists, trusted, err := r.roles.TrustsService(ctx, roleARN, schedulerPrincipal)
	switch {
	case err != nil:
		return err
	case !exists:
		return fmt.Errorf("the role does not exist")
	case !trusted:
		return fmt.Errorf("the role does not trust %s", schedulerPrincipal)
	}
	if r.authz == nil {
		return nil
	}
	ref, err := functionRef(functionARN)
	if err != nil {
		return err
	}
	name, _, _ := strings.Cut(ref, ":")
	var doc []byte
	if r.policies != nil {
		doc, _ = r.policies.Policy(name)
	}
	principal := iam.SessionPrincipal(roleARN, "scheduler")
	err = r.authz.Authorize(ctx, awsapi.AuthzRequest{Service: "lambda", Action: "lambda:InvokeFunction",
		Resource: functionARN, Principal: &principal, ResourcePolicy: string(doc)})
	var ae *awsapi.Error
	if errors.As(err, &ae) && !ae.Server {
		return fmt.Errorf("the role is not allowed lambda:InvokeFunction")
	}
	return err
}

// scheduleDeadLetters sends a given-up firing to its dead-letter queue as
// scheduler.amazonaws.com on the schedule's behalf (the queue policy
// decides; aws:SourceArn is the schedule), its attributes as string
// message attributes, as Scheduler writes them.
type scheduleDeadLetters struct {
	q       *queues.Service
	account string
}

var _ schedules.DeadLetters = scheduleDeadLetters{}

func (d scheduleDeadLetters) SendDeadLetter(ctx context.Context, queueARN string, body []byte, attributes map[string]string) error {
	attrs := make(map[string]queues.MessageAttribute, len(attributes))
	for k, v := range attributes {
		attrs[k] = queues.MessageAttribute{DataType: "String", StringValue: v}
	}
	src := queues.Source{Principal: "scheduler.amazonaws.com", ARN: attributes["X-Amz-Scheduler-Schedule-Arn"], Account: d.account}
	_, err := d.q.SendFrom(ctx, src, queueARN, queues.Outgoing{Body: string(body), Attributes: attrs})
	return err
}
