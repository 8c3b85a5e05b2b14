package queues

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/backbone"
)

// Message move tasks (StartMessageMoveTask): a task's record is in KV, its
// work on a durable work queue, so any node runs it and a crash resumes it.

const (
	movesBucket  = "nubo_queue_moves"
	movesStream  = "SQS_MOVES"
	movesSubject = "sqsmove.task"
	// hdrSource names the queue a message was moved to a dead-letter queue
	// from: a move task without a destination sends it back there.
	hdrSource = "Sqs-Source"
)

// Move task statuses.
const (
	moveRunning    = "RUNNING"
	moveCompleted  = "COMPLETED"
	moveCancelling = "CANCELLING"
	moveCancelled  = "CANCELLED"
	moveFailed     = "FAILED"
)

// moveTask is one message move task.
type moveTask struct {
	Handle         string `json:"handle"`
	Status         string `json:"status"`
	SourceArn      string `json:"source"`
	DestinationArn string `json:"destination,omitempty"`
	MaxPerSecond   int    `json:"max_per_second,omitempty"`
	Moved          int64  `json:"moved"`
	ToMove         int64  `json:"to_move"`
	FailureReason  string `json:"failure,omitempty"`
	Started        int64  `json:"started"`
}

func moveKey(handle string) string { return "t." + handle }

// startMoves opens the tasks' bucket and work queue and consumes it.
func (s *Service) startMoves(ctx context.Context) error {
	kv, err := backbone.OpenKV[moveTask](ctx, s.opts.Backbone, jetstream.KeyValueConfig{Bucket: movesBucket, Description: "nubo SQS message move tasks", History: 1})
	if err != nil {
		return fmt.Errorf("queues: move tasks: %w", err)
	}
	wq, err := s.opts.Backbone.WorkQueue(ctx, backbone.WorkQueueConfig{Stream: movesStream, Description: "nubo SQS message move tasks",
		Subjects: []string{movesSubject}, Consumer: "mover", AckWait: 30 * time.Second, Workers: 2})
	if err != nil {
		return fmt.Errorf("queues: move tasks: %w", err)
	}
	if err := wq.Consume(s.runMove); err != nil {
		return fmt.Errorf("queues: move tasks: %w", err)
	}
	s.moves, s.moveQueue = kv, wq
	return nil
}

type startMoveIn struct {
	SourceArn                    string
	DestinationArn               string
	MaxNumberOfMessagesPerSecond *int
}

type startMoveOut struct {
	TaskHandle string `json:"TaskHandle" xml:"TaskHandle"`
}

type listMovesIn struct {
	SourceArn  string
	MaxResults *int
}

type moveResult struct {
	TaskHandle                        string `json:"TaskHandle,omitempty" xml:"TaskHandle,omitempty"`
	Status                            string `json:"Status" xml:"Status"`
	SourceArn                         string `json:"SourceArn" xml:"SourceArn"`
	DestinationArn                    string `json:"DestinationArn,omitempty" xml:"DestinationArn,omitempty"`
	MaxNumberOfMessagesPerSecond      *int   `json:"MaxNumberOfMessagesPerSecond,omitempty" xml:"MaxNumberOfMessagesPerSecond,omitempty"`
	ApproximateNumberOfMessagesMoved  int64  `json:"ApproximateNumberOfMessagesMoved" xml:"ApproximateNumberOfMessagesMoved"`
	ApproximateNumberOfMessagesToMove int64  `json:"ApproximateNumberOfMessagesToMove" xml:"ApproximateNumberOfMessagesToMove"`
	FailureReason                     string `json:"FailureReason,omitempty" xml:"FailureReason,omitempty"`
	StartedTimestamp                  int64  `json:"StartedTimestamp" xml:"StartedTimestamp"`
}

type listMovesOut struct {
	Results []moveResult `json:"Results" xml:"ListMessageMoveTasksResultEntry"`
}

type cancelMoveIn struct {
	TaskHandle string
}

type cancelMoveOut struct {
	ApproximateNumberOfMessagesMoved int64 `json:"ApproximateNumberOfMessagesMoved" xml:"ApproximateNumberOfMessagesMoved"`
}

func resourceNotFound(msg string) *awsapi.Error {
	return sqsError(http.StatusNotFound, "ResourceNotFoundException", "ResourceNotFoundException", msg)
}

// moveOps are the operation table's message move task entries.
func (s *Service) moveOps() []awsapi.Declared {
	arnTarget := func(arn string) []awsapi.Target {
		if _, name, err := parseQueueARN(arn); err == nil {
			return s.nameTargets(context.Background(), name)
		}
		return []awsapi.Target{{Resource: "*"}}
	}
	return []awsapi.Declared{
		awsapi.Op[startMoveIn, startMoveOut]{Name: "StartMessageMoveTask", Action: "sqs:StartMessageMoveTask",
			Resources: func(c *awsapi.Call, in *startMoveIn) ([]awsapi.Target, error) { return arnTarget(in.SourceArn), nil },
			Handler:   s.startMove},
		awsapi.Op[listMovesIn, listMovesOut]{Name: "ListMessageMoveTasks", Action: "sqs:ListMessageMoveTasks",
			Resources: func(c *awsapi.Call, in *listMovesIn) ([]awsapi.Target, error) { return arnTarget(in.SourceArn), nil },
			Handler:   s.listMoves},
		awsapi.Op[cancelMoveIn, cancelMoveOut]{Name: "CancelMessageMoveTask", Action: "sqs:CancelMessageMoveTask",
			Resources: func(c *awsapi.Call, in *cancelMoveIn) ([]awsapi.Target, error) {
				if t, _, err := s.moves.Get(c.Context(), moveKey(in.TaskHandle)); err == nil {
					return arnTarget(t.SourceArn), nil
				}
				return []awsapi.Target{{Resource: "*"}}, nil
			},
			Handler: s.cancelMove},
	}
}

func (s *Service) queueOfARN(ctx context.Context, arn, field string) (*Queue, error) {
	account, name, err := parseQueueARN(arn)
	if err != nil {
		return nil, invalidParameter("Value %s for parameter %s is invalid. Reason: %v.", arn, field, err)
	}
	if account != s.opts.Account.ID {
		return nil, fmt.Errorf("queue %s: %w", arn, ErrNotFound)
	}
	return s.Get(ctx, name)
}

func (s *Service) startMove(c *awsapi.Call, in *startMoveIn) (startMoveOut, error) {
	ctx := c.Context()
	if in.SourceArn == "" {
		return startMoveOut{}, missingParameter("SourceArn")
	}
	src, err := s.queueOfARN(ctx, in.SourceArn, "SourceArn")
	if err != nil {
		return startMoveOut{}, err
	}
	if in.DestinationArn != "" {
		if _, err := s.queueOfARN(ctx, in.DestinationArn, "DestinationArn"); err != nil {
			return startMoveOut{}, err
		}
	}
	if r := in.MaxNumberOfMessagesPerSecond; r != nil && (*r < 1 || *r > 500) {
		return startMoveOut{}, invalidParameter("Value %d for parameter MaxNumberOfMessagesPerSecond is invalid. Reason: must be between 1 and 500.", *r)
	}
	sources, err := s.deadLetterSources(in.SourceArn)
	if err != nil {
		return startMoveOut{}, err
	}
	if len(sources) == 0 {
		return startMoveOut{}, invalidParameter("Source queue must be configured as a Dead Letter Queue.")
	}
	tasks, err := s.tasksOf(ctx, in.SourceArn)
	if err != nil {
		return startMoveOut{}, err
	}
	for _, t := range tasks {
		if t.Status == moveRunning || t.Status == moveCancelling {
			return startMoveOut{}, sqsError(http.StatusBadRequest, "UnsupportedOperation", "AWS.SimpleQueueService.UnsupportedOperation",
				"There is already a task running. Only one active task is allowed for a source queue arn at a given time.")
		}
	}
	counts, err := s.Count(ctx, src)
	if err != nil {
		return startMoveOut{}, err
	}
	t := &moveTask{Handle: newID() + newID(), Status: moveRunning, SourceArn: in.SourceArn, DestinationArn: in.DestinationArn,
		ToMove: int64(counts.Visible + counts.NotVisible), Started: time.Now().UnixMilli()}
	if in.MaxNumberOfMessagesPerSecond != nil {
		t.MaxPerSecond = *in.MaxNumberOfMessagesPerSecond
	}
	if _, err := s.moves.Create(ctx, moveKey(t.Handle), t); err != nil {
		return startMoveOut{}, fmt.Errorf("queues: start move task: %w", err)
	}
	if err := s.moveQueue.Publish(ctx, backbone.Message{Subject: movesSubject, Data: []byte(t.Handle), ID: t.Handle}); err != nil {
		return startMoveOut{}, fmt.Errorf("queues: start move task: %w", err)
	}
	return startMoveOut{TaskHandle: t.Handle}, nil
}

// tasksOf lists the tasks of a source queue, the most recent first.
func (s *Service) tasksOf(ctx context.Context, sourceARN string) ([]*moveTask, error) {
	all, err := s.moves.List(ctx, "t.")
	if err != nil {
		return nil, fmt.Errorf("queues: list move tasks: %w", err)
	}
	var out []*moveTask
	for _, e := range all {
		if e.Value != nil && e.Value.SourceArn == sourceARN {
			out = append(out, e.Value)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Started > out[j].Started })
	return out, nil
}

func (s *Service) listMoves(c *awsapi.Call, in *listMovesIn) (listMovesOut, error) {
	if in.SourceArn == "" {
		return listMovesOut{}, missingParameter("SourceArn")
	}
	if _, err := s.queueOfARN(c.Context(), in.SourceArn, "SourceArn"); err != nil {
		return listMovesOut{}, err
	}
	limit := 1
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 10 {
			return listMovesOut{}, invalidParameter("Value %d for parameter MaxResults is invalid. Reason: must be between 1 and 10.", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	tasks, err := s.tasksOf(c.Context(), in.SourceArn)
	if err != nil {
		return listMovesOut{}, err
	}
	out := listMovesOut{Results: []moveResult{}}
	for _, t := range tasks[:min(limit, len(tasks))] {
		r := moveResult{Status: t.Status, SourceArn: t.SourceArn, DestinationArn: t.DestinationArn, ApproximateNumberOfMessagesMoved: t.Moved,
			ApproximateNumberOfMessagesToMove: t.ToMove, FailureReason: t.FailureReason, StartedTimestamp: t.Started}
		if t.Status == moveRunning {
			r.TaskHandle = t.Handle
		}
		if t.MaxPerSecond > 0 {
			n := t.MaxPerSecond
			r.MaxNumberOfMessagesPerSecond = &n
		}
		out.Results = append(out.Results, r)
	}
	return out, nil
}

func (s *Service) cancelMove(c *awsapi.Call, in *cancelMoveIn) (cancelMoveOut, error) {
	if in.TaskHandle == "" {
		return cancelMoveOut{}, missingParameter("TaskHandle")
	}
	e, err := s.moves.Modify(c.Context(), moveKey(in.TaskHandle), func(t *moveTask, exists bool) (*moveTask, error) {
		if !exists {
			return nil, resourceNotFound("Task does not exist.")
		}
		if t.Status != moveRunning {
			return nil, resourceNotFound("Task is not running: " + t.Status)
		}
		t.Status = moveCancelling
		return t, nil
	})
	if err != nil {
		return cancelMoveOut{}, err
	}
	return cancelMoveOut{ApproximateNumberOfMessagesMoved: e.Value.Moved}, nil
}

// runMove is the work queue's handler: it moves the source queue's
// messages a batch at a time, recording progress, until the queue is
// empty or the task is cancelled.
func (s *Service) runMove(ctx context.Context, d *backbone.Delivery) backbone.Outcome {
	handle := string(d.Data)
	for {
		t, _, err := s.moves.Get(ctx, moveKey(handle))
		if err != nil {
			return backbone.Ack() // the task is gone
		}
		if t.Status == moveCancelling {
			s.finishMove(ctx, handle, moveCancelled, "")
			return backbone.Ack()
		}
		if t.Status != moveRunning {
			return backbone.Ack()
		}
		moved, err := s.moveBatch(ctx, t)
		if err != nil {
			s.finishMove(ctx, handle, moveFailed, err.Error())
			return backbone.Ack()
		}
		if moved == 0 {
			s.finishMove(ctx, handle, moveCompleted, "")
			return backbone.Ack()
		}
		if _, err := s.moves.Modify(ctx, moveKey(handle), func(t *moveTask, exists bool) (*moveTask, error) {
			if !exists {
				return nil, ErrNotFound
			}
			t.Moved += int64(moved)
			return t, nil
		}); err != nil {
			return backbone.Ack()
		}
		if t.MaxPerSecond > 0 {
			select {
			case <-time.After(time.Duration(moved) * time.Second / time.Duration(t.MaxPerSecond)):
			case <-ctx.Done():
				return backbone.Retry(time.Second)
			}
		}
	}
}

func (s *Service) finishMove(ctx context.Context, handle, status, reason string) {
	_, err := s.moves.Modify(ctx, moveKey(handle), func(t *moveTask, exists bool) (*moveTask, error) {
		if !exists {
			return nil, ErrNotFound
		}
		t.Status, t.FailureReason = status, reason
		return t, nil
	})
	if err != nil {
		s.log.Warn("finish a message move task", "task", handle, "err", err)
	}
}

// moveBatch moves up to 10 messages of the task's source queue: to its
// destination, or each back to the queue it came from.
func (s *Service) moveBatch(ctx context.Context, t *moveTask) (int, error) {
	src, err := s.queueOfARN(ctx, t.SourceArn, "SourceArn")
	if err != nil {
		return 0, err
	}
	c, err := s.consumer(ctx, src)
	if err != nil {
		return 0, err
	}
	msgs, err := fetch(c, 10, 0)
	if err != nil {
		return 0, err
	}
	moved := 0
	for _, m := range msgs {
		dest := t.DestinationArn
		if dest == "" {
			if from := m.Headers().Get(hdrSource); from != "" {
				dest = s.ARN(from)
			}
		}
		if dest == "" {
			_ = m.Nak()
			return moved, errors.New("a message has no source queue to go back to: give a DestinationArn")
		}
		q, err := s.queueOfARN(ctx, dest, "DestinationArn")
		if err != nil {
			_ = m.Nak()
			return moved, fmt.Errorf("destination %s: %w", dest, err)
		}
		out := &nats.Msg{Subject: q.subject(), Data: m.Data(), Header: nats.Header{}}
		for k, v := range m.Headers() {
			if !strings.HasPrefix(k, "Nats-") && k != hdrSource {
				out.Header[k] = v
			}
		}
		if _, err := s.opts.Backbone.JetStream().PublishMsg(ctx, out); err != nil {
			_ = m.Nak()
			return moved, fmt.Errorf("move to %s: %w", q.Name, err)
		}
		if err := m.DoubleAck(ctx); err != nil {
			return moved, fmt.Errorf("remove a moved message: %w", err)
		}
		moved++
	}
	return moved, nil
}
