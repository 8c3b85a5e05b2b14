// Package topics is SNS: topics and subscriptions in backbone KV, the SNS
// API (query protocol, XML replies), and fan-out of published messages
// through a durable work queue to queues (queues.Sender), functions
// (asynchronous invocation) and loopback HTTP endpoints, with filter
// policies on internal/eventpattern.
//
// Read store.go (records), api.go (the operation table), publish.go and
// deliver.go (the work queue and the deliveries), filter.go.
package topics
