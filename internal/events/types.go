package events

import (
	"context"
	"time"
)

// Bus is one event bus with its rules: one record of the bucket.
type Bus struct {
	Name        string              `json:"name"`
	Description string              `json:"description,omitempty"`
	Policy      string              `json:"policy,omitempty"` // resource policy (PutPermission)
	Tags        map[string]string   `json:"tags,omitempty"`
	Created     time.Time           `json:"created"`
	Modified    time.Time           `json:"modified"`
	Rules       map[string]*Rule    `json:"rules,omitempty"`
	Archives    map[string]*Archive `json:"archives,omitempty"`
}

// Rule states.
const (
	StateEnabled  = "ENABLED"
	StateDisabled = "DISABLED"
)

// Rule is one rule of a bus and its targets.
type Rule struct {
	Name               string            `json:"name"`
	Description        string            `json:"description,omitempty"`
	EventPattern       string            `json:"event_pattern,omitempty"`
	ScheduleExpression string            `json:"schedule_expression,omitempty"`
	State              string            `json:"state"`
	RoleArn            string            `json:"role_arn,omitempty"`
	ManagedBy          string            `json:"managed_by,omitempty"`
	Tags               map[string]string `json:"tags,omitempty"`
	Targets            []Target          `json:"targets,omitempty"`
	Created            time.Time         `json:"created"`
}

// Target is a rule's target, stored as the API reads and writes it.
type Target struct {
	Id               string            `json:"Id"`
	Arn              string            `json:"Arn"`
	RoleArn          string            `json:"RoleArn,omitempty"`
	Input            string            `json:"Input,omitempty"`
	InputPath        string            `json:"InputPath,omitempty"`
	InputTransformer *InputTransformer `json:"InputTransformer,omitempty"`
	RetryPolicy      *RetryPolicy      `json:"RetryPolicy,omitempty"`
	DeadLetterConfig *DeadLetterConfig `json:"DeadLetterConfig,omitempty"`
	SqsParameters    *SqsParameters    `json:"SqsParameters,omitempty"`
	HttpParameters   map[string]any    `json:"HttpParameters,omitempty"`
}

// InputTransformer is a target's InputPathsMap and InputTemplate.
type InputTransformer struct {
	InputPathsMap map[string]string `json:"InputPathsMap,omitempty"`
	InputTemplate string            `json:"InputTemplate"`
}

// RetryPolicy bounds a target's retries (defaults 185 attempts, 24 h).
type RetryPolicy struct {
	MaximumRetryAttempts     *int `json:"MaximumRetryAttempts,omitempty"`
	MaximumEventAgeInSeconds *int `json:"MaximumEventAgeInSeconds,omitempty"`
}

// DeadLetterConfig names the queue a target's undeliverable events go to.
type DeadLetterConfig struct {
	Arn string `json:"Arn,omitempty"`
}

// SqsParameters carries a FIFO queue target's message group.
type SqsParameters struct {
	MessageGroupId string `json:"MessageGroupId,omitempty"`
}

// Envelope is an event as EventBridge delivers it (aws-lambda-go's
// events.EventBridgeEvent / CloudWatchEvent).
type Envelope struct {
	Version    string   `json:"version"`
	ID         string   `json:"id"`
	DetailType string   `json:"detail-type"`
	Source     string   `json:"source"`
	Account    string   `json:"account"`
	Time       string   `json:"time"`
	Region     string   `json:"region"`
	Resources  []string `json:"resources"`
	// Detail is the event's detail (a JSON object).
	Detail     rawJSON `json:"detail"`
	ReplayName string  `json:"replay-name,omitempty"`
}

// FunctionInvoker invokes a function asynchronously on behalf of a rule
// (the platform passes the functions service, checking the function's
// resource policy lets events.amazonaws.com invoke it from sourceARN).
type FunctionInvoker interface {
	InvokeAsync(ctx context.Context, functionARN, sourceARN string, payload []byte) error
}

// TopicPublisher publishes a message to a topic (the platform passes the
// topics service once it exists). Nil: topic targets fail with a reason
// saying so.
type TopicPublisher interface {
	Publish(ctx context.Context, topicARN, message string, groupID string) error
}

// QueueSender sends a message to a queue (the platform passes the queues
// service once it exists). Nil: queue targets and dead-letter queues fail
// with a reason saying so.
type QueueSender interface {
	// Send sends body to the queue as the rule ruleARN (the queue policy's
	// aws:SourceArn); groupID is a FIFO queue's MessageGroupId.
	Send(ctx context.Context, ruleARN, queueARN, body string, groupID string) error
}
