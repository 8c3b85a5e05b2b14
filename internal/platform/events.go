package platform

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/events"
	"github.com/nubo-run/nubo/internal/functions"
	"github.com/nubo-run/nubo/internal/queues"
	"github.com/nubo-run/nubo/internal/topics"
)

// eventsModule is EventBridge: the event buses, their rules and delivery
// to targets (functions through eventsInvoker), the EventBridge API and
// AWS::Events::EventBus and AWS::Events::Rule.
type eventsModule struct{}

func (eventsModule) name() string { return "events" }
func (eventsModule) scope() scope { return regional }
func (m eventsModule) reset(ctx context.Context, p *Platform, region string) error {
	return p.dropState(ctx, region, m.name())
}

func (eventsModule) build(p *Platform) (err error) {
	var qs events.QueueSender
	if p.Queues != nil {
		qs = eventsQueues{q: p.Queues, account: p.account.ID}
	}
	var ts events.TopicPublisher
	if p.Topics != nil {
		ts = eventsTopics{t: p.Topics}
	}
	p.Events, err = events.New(events.Options{
		Backbone:   p.view("events"),
		Queues:     qs,
		Topics:     ts,
		Account:    p.account,
		Authorizer: p.authorizer(),
		Functions:  eventsInvoker{fns: p.Functions, policies: p.Policies, account: p.account, authz: p.authorizer()},
		Logger:     p.opts.Logger.With("part", "events"),
	})
	return err
}

func (eventsModule) contribute(p *Platform) (contribution, error) {
	api, err := p.Events.API()
	return contribution{
		parts:     []part{{"events", p.Events}},
		apis:      []*awsapi.API{api},
		providers: events.Providers(p.Events),
	}, err
}

// eventsInvoker invokes a rule's function target asynchronously once the
// function's resource policy (AWS::Lambda::Permission, AddPermission) lets
// events.amazonaws.com invoke it from the rule; otherwise the IAM
// authorizer decides by --iam, as for the gateway.
type eventsInvoker struct {
	fns      *functions.Service
	policies *functions.PolicyStore
	account  awsapi.Account
	authz    awsapi.Authorizer
}

var _ events.FunctionInvoker = eventsInvoker{}

func (e eventsInvoker) InvokeAsync(ctx context.Context, functionARN, ruleARN string, payload []byte) error {
	name, qualifier, err := functions.ParseFunctionRef(functionARN)
	if err != nil {
		return fmt.Errorf("function target %s: %w", functionARN, err)
	}
	if e.policies != nil {
		keys := map[string][]string{"aws:SourceArn": {ruleARN}, "aws:SourceAccount": {e.account.ID}}
		if !e.policies.Allows(name, "events.amazonaws.com", "lambda:InvokeFunction", keys) && e.authz != nil {
			doc, _ := e.policies.Policy(name)
			err := e.authz.Authorize(ctx, awsapi.AuthzRequest{Service: "lambda", Action: "lambda:InvokeFunction",
				Resource: e.account.FunctionARN(name), ServicePrincipal: "events.amazonaws.com", Context: keys, ResourcePolicy: string(doc)})
			var ae *awsapi.Error
			if errors.As(err, &ae) && !ae.Server {
				return fmt.Errorf("function %s does not allow events.amazonaws.com to invoke it from %s: %w", name, ruleARN, err)
			}
			if err != nil {
				return err
			}
		}
	}
	ref := name
	if qualifier != "" {
		ref += ":" + qualifier
	}
	_, err = e.fns.InvokeAsync(ctx, ref, payload)
	return err
}

// eventsDestination delivers Lambda's async-invoke records to an event bus
// (OnSuccess/OnFailure naming a bus ARN), as Lambda does: source "lambda",
// detail-type "Lambda Function Invocation Result - Success" or "- Failure",
// the record as detail and the function's ARN as resource. The events
// module is built after functions; a record arrives only once serving.
type eventsDestination struct{ p *Platform }

func (d eventsDestination) Deliver(ctx context.Context, arn string, record []byte) error {
	if d.p.Events == nil {
		return errors.New("the event bus is not running")
	}
	var rec struct {
		RequestContext struct {
			FunctionARN string `json:"functionArn"`
			Condition   string `json:"condition"`
		} `json:"requestContext"`
	}
	if err := json.Unmarshal(record, &rec); err != nil {
		return fmt.Errorf("destination record: %w", err)
	}
	detailType := "Lambda Function Invocation Result - Failure"
	if rec.RequestContext.Condition == "Success" {
		detailType = "Lambda Function Invocation Result - Success"
	}
	var resources []string
	if rec.RequestContext.FunctionARN != "" {
		resources = []string{rec.RequestContext.FunctionARN}
	}
	_, err := d.p.Events.PutEvent(ctx, arn, "lambda", detailType, record, resources)
	return err
}

// eventsQueues sends a rule's events to queues as events.amazonaws.com on
// the rule's behalf: the queue policy decides (aws:SourceArn is the rule).
type eventsQueues struct {
	q       *queues.Service
	account string
}

var _ events.QueueSender = eventsQueues{}

func (e eventsQueues) Send(ctx context.Context, ruleARN, queueARN, body, groupID string) error {
	_, err := e.q.SendFrom(ctx, queues.Source{Principal: "events.amazonaws.com", ARN: ruleARN, Account: e.account},
		queueARN, queues.Outgoing{Body: body, GroupID: groupID})
	return err
}

// eventsTopics publishes a rule's events to topics. (The topic policy is
// not asked: nubo's topics check it on the API's Publish only.)
type eventsTopics struct{ t *topics.Service }

var _ events.TopicPublisher = eventsTopics{}

func (e eventsTopics) Publish(ctx context.Context, topicARN, message, groupID string) error {
	name, err := e.t.TopicName(topicARN)
	if err != nil {
		return err
	}
	_, err = e.t.Publish(ctx, topics.Message{Topic: name, Body: message, GroupID: groupID})
	return err
}
