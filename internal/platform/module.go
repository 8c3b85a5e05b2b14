package platform

import (
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
// Adding a service is a new package, a module type beside the others here,
// and one line in modules.
type module interface {
	build(p *Platform) error
	contribute(p *Platform) (contribution, error)
}

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
		&gatewayModule{},    // API Gateway and function URLs on the HTTP listener
		&eventsModule{},     // EventBridge: buses, rules, delivery to targets
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
