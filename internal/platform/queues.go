package platform

import (
	"context"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/queues"
	"github.com/nubo-run/nubo/internal/stacks"
)

// queuesModule is SQS: queues on JetStream, the SQS API (JSON 1.0 and
// query), AWS::SQS::Queue and AWS::SQS::QueuePolicy.
type queuesModule struct{}

func (queuesModule) name() string { return "sqs" }
func (queuesModule) scope() scope { return regional }
func (m queuesModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (queuesModule) build(p *Platform) (err error) {
	p.Queues, err = queues.New(queues.Options{Backbone: p.view("sqs"), Account: p.account, Authorizer: p.authorizer(),
		Logger: p.opts.Logger.With("part", "queues")})
	return err
}

func (queuesModule) contribute(p *Platform) (contribution, error) {
	api, err := p.Queues.API()
	return contribution{
		// The event source mappings poll the queues: they start after them.
		parts:     []part{{"queues", p.Queues}, {"event source mappings", p.EventSources}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{queues.NewQueueProvider(p.Queues), queues.NewQueuePolicyProvider(p.Queues)},
	}, err
}
