package queues

import (
	"context"
	"fmt"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// Source is an AWS service sending into a queue on its own behalf (a topic,
// an event bus rule): the queue policy must allow its service principal,
// with aws:SourceArn and aws:SourceAccount as conditions.
type Source struct {
	// Principal is the service principal ("sns.amazonaws.com").
	Principal string
	// ARN is the sending resource (the topic or rule): aws:SourceArn.
	ARN string
	// Account owns it: aws:SourceAccount (default the queue's account).
	Account string
}

// Sender enqueues into a queue named by ARN, as SNS and EventBridge do:
// the published interface of this package for other contexts.
type Sender interface {
	SendFrom(ctx context.Context, src Source, queueARN string, m Outgoing) (Sent, error)
}

var _ Sender = (*Service)(nil)

// SendFrom sends m to the queue of queueARN if its policy allows src's
// service principal sqs:SendMessage (with --iam off, always).
func (s *Service) SendFrom(ctx context.Context, src Source, queueARN string, m Outgoing) (Sent, error) {
	account, name, err := parseQueueARN(queueARN)
	if err != nil {
		return Sent{}, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if account != s.opts.Account.ID {
		return Sent{}, fmt.Errorf("queue %s: %w", queueARN, ErrNotFound)
	}
	q, err := s.Get(ctx, name)
	if err != nil {
		return Sent{}, err
	}
	if src.Account == "" {
		src.Account = s.opts.Account.ID
	}
	cond := map[string][]string{"aws:SourceAccount": {src.Account}}
	if src.ARN != "" {
		cond["aws:SourceArn"] = []string{src.ARN}
	}
	if err := awsapi.Authorize(ctx, s.opts.Authorizer, awsapi.AuthzRequest{
		Service: "sqs", Action: "sqs:SendMessage", Resource: s.ARN(q.Name), ResourcePolicy: q.Attr(AttrPolicy),
		ServicePrincipal: src.Principal, Context: cond, ResourceTags: q.Tags,
	}); err != nil {
		return Sent{}, err
	}
	if m.SenderID == "" {
		m.SenderID = src.Principal
	}
	return s.send(ctx, q, m)
}
