package platform

import (
	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/logs"
)

// buildLogs wires the logs context's store, which every context writes its
// lines to: functions' instances today, each function's lines under its
// name with its /aws/lambda/NAME group's retention.
func (p *Platform) buildLogs() {
	o := p.opts.Logs
	o.RetentionGroup = functions.LogGroupName
	p.Logs = logs.NewStore(p.Backbone, o)
}

// logsAPI is the CloudWatch Logs API over the log groups functions write
// to. It is built after the functions service, which names them.
func (p *Platform) logsAPI(account awsapi.Account) (*awsapi.API, error) {
	return logs.NewAPI(logs.APIOptions{
		Store:      p.Logs,
		Sources:    p.Functions,
		Account:    account,
		Authorizer: p.authorizer(),
		Logger:     p.opts.Logger.With("part", "logs-api"),
	})
}
