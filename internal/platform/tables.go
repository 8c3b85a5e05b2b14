package platform

import (
	"context"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
	"github.com/nubo-run/nubo/internal/tables"
)

// tablesModule is DynamoDB: the region's tables (their items in JetStream
// KV, decision 009), the DynamoDB API and AWS::DynamoDB::Table. It keeps
// its store itself (build and contribute run on one module value per
// region), so the Platform struct needs no field for it.
type tablesModule struct{ store *tables.Store }

func (tablesModule) name() string { return "dynamodb" }
func (tablesModule) scope() scope { return regional }
func (m *tablesModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (m *tablesModule) build(p *Platform) (err error) {
	m.store, err = tables.New(tables.Options{Backbone: p.view(m.name()), Account: p.account, Authorizer: p.authorizer(),
		Logger: p.opts.Logger.With("part", "tables")})
	return err
}

func (m *tablesModule) contribute(*Platform) (contribution, error) {
	api, err := m.store.API()
	return contribution{
		parts:     []part{{"tables", m.store}},
		apis:      []*awsapi.API{api},
		providers: []stacks.Provider{tables.NewTableProvider(m.store)},
	}, err
}
