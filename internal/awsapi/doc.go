// Package awsapi is the wire machinery every AWS-compatible service of nubo
// shares: SigV4 verification (sigv4.go), the credentials nubo issues and
// accepts (credentials.go), AWS error envelopes for each protocol (errors.go),
// request ids, ARNs (arn.go), and the edge router that sends each request to
// the service it is signed for (edge.go). Read edge.go first.
package awsapi
