package awsapi

//go:generate go run ./sdkops sdkops_gen.go

import (
	"slices"
	"sort"
)

type sdkService struct {
	Version    string
	Operations []string
}

// Coverage is how much of one AWS API nubo implements.
type Coverage struct {
	// Service is the signing name; SDKID the aws-sdk-go-v2 package.
	Service, SDKID string
	// SDKVersion is the client version the operation list was read from.
	SDKVersion string
	// Implemented are the operations nubo declares; Missing those the
	// SDK client has that nubo does not. Extra are declared operations the
	// client does not have (nubo's own, or renamed ones).
	Implemented, Missing, Extra []string
	// Total is the number of operations the SDK client has.
	Total int
}

// CoverageOf compares an API's table with its SDK client's operations.
func CoverageOf(a *API) Coverage {
	c := Coverage{Service: a.Name(), SDKID: a.SDKID()}
	declared := map[string]bool{}
	for _, op := range a.list {
		declared[op.Name] = true
		c.Implemented = append(c.Implemented, op.Name)
	}
	sort.Strings(c.Implemented)
	sdk, ok := sdkOperations[a.SDKID()]
	if !ok {
		c.Extra = slices.Clone(c.Implemented)
		return c
	}
	c.SDKVersion, c.Total = sdk.Version, len(sdk.Operations)
	for _, op := range sdk.Operations {
		if !declared[op] {
			c.Missing = append(c.Missing, op)
		}
	}
	for _, op := range c.Implemented {
		if !slices.Contains(sdk.Operations, op) {
			c.Extra = append(c.Extra, op)
		}
	}
	return c
}

// PlannedServices are the aws-sdk-go-v2 clients nubo has operation lists
// for but serves none of yet (the coverage table lists them at 0).
func PlannedServices(served []string) []Coverage {
	var out []Coverage
	for id, s := range sdkOperations {
		if slices.Contains(served, id) {
			continue
		}
		out = append(out, Coverage{SDKID: id, SDKVersion: s.Version, Total: len(s.Operations), Missing: slices.Clone(s.Operations)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].SDKID < out[j].SDKID })
	return out
}
