// Package queues is SQS: queues on JetStream (docs/decisions/008), the SQS
// API in both of its wire protocols (JSON 1.0 and query), and the
// AWS::SQS::Queue and AWS::SQS::QueuePolicy resource types.
//
// A queue is a stream with one durable pull consumer; its record (name,
// stream id, attributes, tags) is in KV. A receipt handle is the message's
// ack subject, so any node can delete or change the visibility of any
// message. Other contexts enqueue through Sender (by queue ARN, with the
// queue policy's check).
package queues
