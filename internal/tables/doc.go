// Package tables is nubo's DynamoDB: tables whose items live in JetStream
// KV buckets, one bucket per table, under keys that encode the partition
// key and the sort key so a Query reads one partition (decision 009). The
// table descriptions live in one bucket every node watches.
package tables
