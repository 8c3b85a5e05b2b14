package platform

import (
	"context"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/parameters"
	"github.com/nubo-run/nubo/internal/stacks"
)

// parametersModule is SSM Parameter Store: the store (which stacks also
// read for their AWS::SSM::Parameter::Value parameters), the SSM API and
// AWS::SSM::Parameter.
type parametersModule struct{}

func (parametersModule) name() string { return "ssm" }
func (parametersModule) scope() scope { return regional }
func (m parametersModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (parametersModule) build(p *Platform) (err error) {
	p.Parameters, err = parameters.New(parameters.Options{Backbone: p.view("ssm"), Account: p.account, Authorizer: p.authorizer(),
		Logger: p.opts.Logger.With("part", "parameters")})
	return err
}

func (parametersModule) contribute(p *Platform) (contribution, error) {
	api, err := p.Parameters.API()
	return contribution{
		parts:     []part{{"parameters", p.Parameters}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{parameters.NewParameterProvider(p.Parameters)},
	}, err
}
