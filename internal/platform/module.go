package platform

import (
	"context"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/stacks"
)

// A module is one bounded context as the platform assembles it, in two
// steps:
//
//   - build makes the context's services from Options and from what the
//     modules before it in the list built (the Platform's fields): explicit
//     wiring, one context at a time;
//   - contribute, once every module is built, hands the platform what the
//     context brings: its long-lived parts (started in list order, closed
//     in reverse), its operation tables (served on the edge) and its
//     resource providers (deployed by the stack engine).
//
// A module is global (IAM: one for the account) or regional: the platform
// builds a regional module once per region a request names (decision 007),
// each time on a Platform value of that region (p.region, p.account.Region,
// p.view's names), so a module's code knows nothing of regions.
//
// reset drops the module's state in one region (GlobalRegion for a global
// module) while its parts are closed: `nubo reset` and POST /_nubo/reset.
// The parts start again afterwards and restore what they make at first
// start. Most modules only drop what their views opened (p.dropState).
//
// Adding a service is a new package, a module type beside the others here,
// and one line in modules.
type module interface {
	name() string // the service `nubo reset` names; the part of its views
	scope() scope
	build(p *Platform) error
	contribute(p *Platform) (contribution, error)
	reset(ctx context.Context, p *Platform, region string) error
}

// scope is where a module's state lives.
type scope int

const (
	global   scope = iota // one for the account (IAM, STS)
	regional              // one per region
)

// contribution is what a module hands the platform.
type contribution struct {
	parts     []part
	apis      []*awsapi.API
	providers []stacks.Provider
}

// modules are nubo's bounded contexts in build order: a module may use what
// those above it built. Stacks comes last: it deploys every provider the
// others contribute.
func modules() []module {
	return []module{
		&iamModule{},        // the authorizer every other module asks
		&logsModule{},       // the log store instances (and later every context) write to
		&functionsModule{},  // Lambda
		&parametersModule{}, // SSM Parameter Store
		&queuesModule{},     // SQS
		&topicsModule{},     // SNS: after SQS and Lambda, which it delivers to
		&tablesModule{},     // DynamoDB
		&gatewayModule{},    // API Gateway and function URLs on the HTTP listener
		&eventsModule{},     // EventBridge: buses, rules, delivery to targets
		&schedulesModule{},  // EventBridge Scheduler
		&stacksModule{},     // CloudFormation: last, it takes every provider
	}
}

// apisOf builds operation tables, stopping at the first error.
func apisOf(builds ...func() (*awsapi.API, error)) ([]*awsapi.API, error) {
	out := make([]*awsapi.API, 0, len(builds))
	for _, build := range builds {
		a, err := build()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}
