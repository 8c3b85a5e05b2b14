package platform

import (
	"context"
	"path/filepath"

	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/stacks/sam"
)

// stacksModule is the stack engine: CloudFormation and SAM templates over
// every resource type the modules before it contribute, nubo's stacks
// admin API and the CloudFormation API. It is last in modules, so its
// contribute sees every provider (p.provided).
type stacksModule struct{}

func (stacksModule) name() string { return "cloudformation" }
func (stacksModule) scope() scope { return regional }
func (m stacksModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (stacksModule) build(*Platform) error { return nil }

func (stacksModule) contribute(p *Platform) (contribution, error) {
	registry, err := p.providers()
	if err != nil {
		return contribution{}, err
	}
	if p.Stacks, err = stacks.New(stacks.Options{Backbone: p.view("cloudformation"), Registry: registry, Account: p.account,
		Transform: samTransform, ParameterLookup: p.Parameters.Value, Authorizer: p.authorizer(),
		Logger: p.opts.Logger.With("part", "stacks")}); err != nil {
		return contribution{}, err
	}
	apis, err := apisOf(p.Stacks.AdminAPI, p.Stacks.CloudFormationAPI)
	return contribution{parts: []part{{"stacks", p.Stacks}}, apis: apis}, err
}

// providers is the registry of every resource type the modules contributed.
func (p *Platform) providers() (*stacks.Registry, error) { return stacks.NewRegistry(p.provided...) }

// samTransform is the AWS::Serverless-2016-10-31 transform as the engine calls it.
func samTransform(t map[string]any, ps stacks.Pseudo) (map[string]any, error) {
	return sam.Transform(t, sam.Options{Region: ps.Region, AccountID: ps.AccountID, Partition: ps.Partition, StackName: ps.StackName,
		CodeDigest: func(path string) (string, error) {
			if !filepath.IsAbs(path) {
				path = filepath.Join(ps.BaseDir, path)
			}
			return functions.SourceDigest(path)
		}})
}
