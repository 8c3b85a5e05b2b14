package platform

import (
	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/queues"
	"github.com/nubo-run/nubo/internal/stacks"
)

// queuesModule is SQS: queues on JetStream, the SQS API (JSON 1.0 and
// query), AWS::SQS::Queue and AWS::SQS::QueuePolicy.
type queuesModule struct{}

func (queuesModule) build(p *Platform) (err error) {
	p.Queues, err = queues.New(queues.Options{Backbone: p.Backbone, Account: p.account, Authorizer: p.authorizer(),
		Logger: p.opts.Logger.With("part", "queues")})
	return err
}

func (queuesModule) contribute(p *Platform) (contribution, error) {
	api, err := p.Queues.API()
	return contribution{
		parts:     []part{{"queues", p.Queues}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{queues.NewQueueProvider(p.Queues), queues.NewQueuePolicyProvider(p.Queues)},
	}, err
}
