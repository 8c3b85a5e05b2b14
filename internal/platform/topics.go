package platform

import (
	"context"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/topics"
)

// topicsModule is SNS: topics and subscriptions, the SNS API (query),
// delivery to queues, functions and loopback HTTP endpoints, and
// AWS::SNS::Topic, AWS::SNS::Subscription and AWS::SNS::TopicPolicy.
type topicsModule struct{}

func (topicsModule) name() string { return "sns" }
func (topicsModule) scope() scope { return regional }
func (m topicsModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (topicsModule) build(p *Platform) (err error) {
	p.Topics, err = topics.New(topics.Options{Backbone: p.view("sns"), Account: p.account, Authorizer: p.authorizer(),
		Queues: p.Queues, Functions: logsFunctions{fns: p.Functions}, EndpointURL: p.EndpointURL,
		Logger: p.opts.Logger.With("part", "topics")})
	return err
}

func (topicsModule) contribute(p *Platform) (contribution, error) {
	api, err := p.Topics.API()
	return contribution{
		parts:     []part{{"topics", p.Topics}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{topics.NewTopicProvider(p.Topics), topics.NewSubscriptionProvider(p.Topics), topics.NewTopicPolicyProvider(p.Topics)},
	}, err
}
