package queues

import (
	"context"
	"fmt"
	"time"
)

// Poller is what a poll-based consumer in this process (a Lambda event
// source mapping) uses of a queue named by ARN: receive a batch with long
// polling, delete what it handled. Authorization is the consumer's
// business (the mapping's execution role, checked when it is created).
type Poller interface {
	Poll(ctx context.Context, queueARN string, max int, wait time.Duration) ([]Received, error)
	DeleteMessages(ctx context.Context, queueARN string, handles []string) error
	// VisibilityTimeout is the queue's VisibilityTimeout in seconds.
	VisibilityTimeout(ctx context.Context, queueARN string) (int64, error)
	// Region is the queues' region (the SQS event's awsRegion).
	Region() string
}

var _ Poller = (*Service)(nil)

// queueByARN returns the queue of an ARN of this account.
func (s *Service) queueByARN(ctx context.Context, queueARN string) (*Queue, error) {
	account, name, err := parseQueueARN(queueARN)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if account != s.opts.Account.ID {
		return nil, fmt.Errorf("queue %s: %w", queueARN, ErrNotFound)
	}
	return s.Get(ctx, name)
}

// Poll receives up to max messages from the queue of queueARN, waiting up
// to wait for the first one, as ReceiveMessage does (visibility timeout,
// RedrivePolicy), without its 10-message limit.
func (s *Service) Poll(ctx context.Context, queueARN string, max int, wait time.Duration) ([]Received, error) {
	q, err := s.queueByARN(ctx, queueARN)
	if err != nil {
		return nil, err
	}
	return s.receive(ctx, q, receiveOptions{max: max, wait: wait})
}

// DeleteMessages deletes the messages of handles from the queue of
// queueARN and returns once the server has the deletes.
func (s *Service) DeleteMessages(ctx context.Context, queueARN string, handles []string) error {
	q, err := s.queueByARN(ctx, queueARN)
	if err != nil {
		return err
	}
	for _, h := range handles {
		if err := s.deleteMessage(q, h); err != nil {
			return err
		}
	}
	return s.flush()
}

// Region is the region the queues live in.
func (s *Service) Region() string { return s.opts.Account.Region }

// VisibilityTimeout is the VisibilityTimeout of the queue of queueARN, in
// seconds.
func (s *Service) VisibilityTimeout(ctx context.Context, queueARN string) (int64, error) {
	q, err := s.queueByARN(ctx, queueARN)
	if err != nil {
		return 0, err
	}
	return q.intAttr(AttrVisibilityTimeout), nil
}
