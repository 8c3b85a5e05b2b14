// Package events is nubo's event bus: the EventBridge API (JSON 1.1,
// AWSEvents.*) over a JetStream KV bucket, delivery of matched events to
// targets through durable work queues, and the AWS::Events::EventBus and
// AWS::Events::Rule stack resources.
//
// A bus and its rules (with their targets) are one record in the bucket,
// so a bus's whole rule set is read, and compiled into one
// eventpattern.Set, at one revision. PutEvents appends each accepted event
// to the ingest queue; any node takes it, matches it against the bus's
// compiled rules and queues one delivery per matched target; a delivery
// transforms the event (Input, InputPath, InputTransformer) and sends it
// to the target, retrying by the target's RetryPolicy and dead-lettering
// by its DeadLetterConfig.
//
// Read types.go and store.go first, then api.go (the operation table) and
// its api_*.go files, deliver.go, transform.go and resource.go.
package events
