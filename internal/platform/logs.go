package platform

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/logs"
	"github.com/nubo-run/nubo/internal/stacks"
)

// logsModule is CloudWatch Logs: the log store every context writes its
// lines to (functions' instances today, each function's lines under its
// name with its /aws/lambda/NAME group's retention), the Logs API,
// subscription filters' delivery to functions and AWS::Logs::LogGroup.
type logsModule struct{}

func (logsModule) name() string { return "logs" }
func (logsModule) scope() scope { return regional }
func (m logsModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (logsModule) build(p *Platform) error {
	o := p.opts.Logs
	o.RetentionGroup = functions.LogGroupName
	p.Logs = logs.NewStore(p.view("logs"), o)
	return nil
}

// contribute serves the Logs API over the log groups functions write to
// (the functions module, built by now, names them), and delivers
// subscription filters' events to functions.
func (logsModule) contribute(p *Platform) (contribution, error) {
	fns := logsFunctions{fns: p.Functions}
	api, err := logs.NewAPI(logs.APIOptions{
		Store:      p.Logs,
		Sources:    p.Functions,
		Functions:  fns,
		Account:    p.account,
		Authorizer: p.authorizer(),
		Logger:     p.opts.Logger.With("part", "logs-api"),
	})
	sub := logs.NewSubscriber(p.Logs, fns, p.account, p.opts.Logger.With("part", "logs-subscriptions"))
	return contribution{
		parts:     []part{{"logs", p.Logs}, {"logs-subscriptions", sub}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{logs.NewGroupProvider(p.Logs, p.account)},
	}, err
}

// logsFunctions adapts the functions service to what subscription filters
// need: a destination ARN's function, invoked asynchronously.
type logsFunctions struct{ fns *functions.Service }

var _ logs.Functions = logsFunctions{}

func (f logsFunctions) ref(arn string) (string, error) {
	ref, ok := logs.LambdaName(arn)
	if !ok {
		return "", fmt.Errorf("%q: %w", arn, logs.ErrFunctionNotFound)
	}
	return ref, nil
}

func (f logsFunctions) FunctionExists(ctx context.Context, arn string) error {
	ref, err := f.ref(arn)
	if err != nil {
		return err
	}
	name, _, _ := strings.Cut(ref, ":")
	if _, err := f.fns.Get(ctx, name); err != nil {
		if errors.Is(err, functions.ErrFunctionNotFound) {
			return fmt.Errorf("%w: %w", logs.ErrFunctionNotFound, err)
		}
		return err
	}
	return nil
}

func (f logsFunctions) InvokeAsync(ctx context.Context, arn string, payload []byte) error {
	ref, err := f.ref(arn)
	if err != nil {
		return err
	}
	if _, err := f.fns.InvokeAsync(ctx, ref, payload); err != nil {
		if errors.Is(err, functions.ErrFunctionNotFound) {
			return fmt.Errorf("%w: %w", logs.ErrFunctionNotFound, err)
		}
		return err
	}
	return nil
}
