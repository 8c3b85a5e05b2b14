package platform

import (
	"context"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/logs"
	"github.com/nubo-run/nubo/internal/stacks"
)

// logsModule is CloudWatch Logs: the log store every context writes its
// lines to (functions' instances today, each function's lines under its
// name with its /aws/lambda/NAME group's retention), the Logs API and
// AWS::Logs::LogGroup.
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
// (the functions module, built by now, names them).
func (logsModule) contribute(p *Platform) (contribution, error) {
	api, err := logs.NewAPI(logs.APIOptions{
		Store:      p.Logs,
		Sources:    p.Functions,
		Account:    p.account,
		Authorizer: p.authorizer(),
		Logger:     p.opts.Logger.With("part", "logs-api"),
	})
	return contribution{
		parts:     []part{{"logs", p.Logs}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{logs.NewGroupProvider(p.Logs, p.account)},
	}, err
}
