// Package stacks is nubo's stack engine: CloudFormation/SAM templates,
// intrinsics, the dependency graph, plans, apply with rollback, versioned
// state in JetStream, exports and imports, drift.
//
// Start with provider.go (the seam every resource type implements), then
// template.go (parsing, with a path → line table), transforms.go (the
// transforms CloudFormation hosts, in its order: include.go for
// AWS::Include, foreach.go for AWS::LanguageExtensions, then SAM), eval.go
// (intrinsics),
// plan.go (diffs against the recorded state) and apply.go (the graph walk).
// engine.go ties them together; api.go serves them on the edge as the "nubo"
// admin API that the CLI verbs call.
package stacks
