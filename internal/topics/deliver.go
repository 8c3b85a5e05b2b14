package topics

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/nubo-run/nubo/internal/queues"
)

const timeFormat = "2006-01-02T15:04:05.000Z"

// ErrFunctionNotFound is a lambda subscription's function that does not
// exist.
var ErrFunctionNotFound = errors.New("function not found")

// deliver sends m to one subscription.
func (s *Service) deliver(ctx context.Context, sub *Subscription, m *Message) error {
	raw := sub.Attributes[AttrRawMessageDelivery] == "true"
	switch sub.Protocol {
	case "sqs":
		if s.opts.Queues == nil {
			return errors.New("no queues service")
		}
		body := m.bodyFor("sqs")
		if !raw {
			body = s.envelope(sub, m)
		}
		_, err := s.opts.Queues.SendFrom(ctx, s.source(sub.Topic), sub.Endpoint, s.outgoing(sub, m, body))
		return err
	case "lambda":
		if s.opts.Functions == nil {
			return errors.New("no functions service")
		}
		payload, err := json.Marshal(s.lambdaEvent(sub, m))
		if err != nil {
			return err
		}
		return s.opts.Functions.InvokeAsync(ctx, sub.Endpoint, payload)
	case "http", "https":
		body := m.bodyFor(sub.Protocol)
		if !raw {
			body = s.envelope(sub, m)
		}
		return s.post(ctx, sub, "Notification", m.ID, body, raw)
	}
	return fmt.Errorf("protocol %q is not delivered", sub.Protocol)
}

func (s *Service) source(topic string) queues.Source {
	return queues.Source{Principal: "sns.amazonaws.com", ARN: s.ARN(topic), Account: s.opts.Account.ID}
}

// outgoing is the SQS message of a delivery: raw delivery carries the
// message attributes as queue message attributes.
func (s *Service) outgoing(sub *Subscription, m *Message, body string) queues.Outgoing {
	out := queues.Outgoing{Body: body, GroupID: m.GroupID, DeduplicationID: m.DedupID}
	if sub.Attributes[AttrRawMessageDelivery] == "true" && len(m.Attributes) > 0 {
		out.Attributes = map[string]queues.MessageAttribute{}
		for k, a := range m.Attributes {
			out.Attributes[k] = queues.MessageAttribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
		}
	}
	return out
}

// envelopeAttribute is a message attribute in the JSON envelope.
type envelopeAttribute struct {
	Type  string `json:"Type"`
	Value string `json:"Value"`
}

func envelopeAttributes(attrs map[string]Attribute) map[string]envelopeAttribute {
	if len(attrs) == 0 {
		return nil
	}
	out := make(map[string]envelopeAttribute, len(attrs))
	for k, a := range attrs {
		v := a.StringValue
		if baseType(a.DataType) == "Binary" {
			v = base64.StdEncoding.EncodeToString(a.BinaryValue)
		}
		out[k] = envelopeAttribute{Type: a.DataType, Value: v}
	}
	return out
}

// notification is SNS's JSON envelope of a message.
type notification struct {
	Type              string                       `json:"Type"`
	MessageID         string                       `json:"MessageId"`
	SequenceNumber    string                       `json:"SequenceNumber,omitempty"`
	Token             string                       `json:"Token,omitempty"`
	TopicArn          string                       `json:"TopicArn"`
	Subject           string                       `json:"Subject,omitempty"`
	Message           string                       `json:"Message"`
	SubscribeURL      string                       `json:"SubscribeURL,omitempty"`
	Timestamp         string                       `json:"Timestamp"`
	SignatureVersion  string                       `json:"SignatureVersion"`
	Signature         string                       `json:"Signature"`
	SigningCertURL    string                       `json:"SigningCertURL"`
	UnsubscribeURL    string                       `json:"UnsubscribeURL,omitempty"`
	MessageAttributes map[string]envelopeAttribute `json:"MessageAttributes,omitempty"`
}

// sign fills the signature fields. nubo holds no SNS signing
// certificate: the Signature is a digest of the fields SNS signs, which
// checks integrity but verifies against no certificate.
func (n *notification) sign(base string) {
	n.SignatureVersion = "1"
	sum := sha256.Sum256([]byte(n.Message + "\n" + n.MessageID + "\n" + n.Subject + "\n" + n.Timestamp + "\n" + n.TopicArn + "\n" + n.Type))
	n.Signature = base64.StdEncoding.EncodeToString(sum[:])
	n.SigningCertURL = base + "/SimpleNotificationService-nubo.pem"
}

func (s *Service) baseURL(m *Message) string {
	if m.BaseURL != "" {
		return m.BaseURL
	}
	return "http://localhost"
}

func (s *Service) notification(sub *Subscription, m *Message) notification {
	n := notification{Type: "Notification", MessageID: m.ID, SequenceNumber: m.Sequence, TopicArn: s.ARN(m.Topic), Subject: m.Subject,
		Message: m.bodyFor(sub.Protocol), Timestamp: m.Timestamp.UTC().Format(timeFormat),
		UnsubscribeURL:    s.baseURL(m) + "/?Action=Unsubscribe&SubscriptionArn=" + url.QueryEscape(s.SubscriptionARN(sub)),
		MessageAttributes: envelopeAttributes(m.Attributes)}
	n.sign(s.baseURL(m))
	return n
}

func (s *Service) envelope(sub *Subscription, m *Message) string {
	b, _ := json.Marshal(s.notification(sub, m))
	return string(b)
}

// lambdaEvent is the SNS event of aws-lambda-go/events (SNSEvent).
func (s *Service) lambdaEvent(sub *Subscription, m *Message) map[string]any {
	n := s.notification(sub, m)
	attrs := map[string]any{}
	for k, a := range n.MessageAttributes {
		attrs[k] = a
	}
	return map[string]any{"Records": []any{map[string]any{
		"EventVersion": "1.0", "EventSubscriptionArn": s.SubscriptionARN(sub), "EventSource": "aws:sns",
		"Sns": map[string]any{
			"Type": n.Type, "MessageId": n.MessageID, "TopicArn": n.TopicArn, "Subject": n.Subject, "Message": n.Message,
			"Timestamp": n.Timestamp, "SignatureVersion": n.SignatureVersion, "Signature": n.Signature,
			"SigningCertUrl": n.SigningCertURL, "UnsubscribeUrl": n.UnsubscribeURL, "MessageAttributes": attrs,
		},
	}}}
}

// post sends an HTTP delivery; a 2xx answer is success.
func (s *Service) post(ctx context.Context, sub *Subscription, kind, id, body string, raw bool) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, sub.Endpoint, bytes.NewReader([]byte(body)))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "text/plain; charset=UTF-8")
	req.Header.Set("x-amz-sns-message-type", kind)
	req.Header.Set("x-amz-sns-message-id", id)
	req.Header.Set("x-amz-sns-topic-arn", s.ARN(sub.Topic))
	if kind == "Notification" {
		req.Header.Set("x-amz-sns-subscription-arn", s.SubscriptionARN(sub))
	}
	if raw {
		req.Header.Set("x-amz-sns-rawdelivery", "true")
	}
	req.Header.Set("User-Agent", "Amazon Simple Notification Service Agent")
	resp, err := s.opts.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("endpoint answered %s", resp.Status)
	}
	return nil
}

// confirmRequest posts an HTTP subscription's SubscriptionConfirmation.
func (s *Service) confirmRequest(ctx context.Context, sub *Subscription, m *Message) error {
	if !sub.Pending {
		return nil
	}
	arn := s.ARN(sub.Topic)
	n := notification{Type: "SubscriptionConfirmation", MessageID: m.ID, Token: sub.Token, TopicArn: arn,
		Message:      "You have chosen to subscribe to the topic " + arn + ".\nTo confirm the subscription, visit the SubscribeURL included in this message.",
		SubscribeURL: s.baseURL(m) + "/?Action=ConfirmSubscription&TopicArn=" + url.QueryEscape(arn) + "&Token=" + sub.Token,
		Timestamp:    time.Now().UTC().Format(timeFormat)}
	n.sign(s.baseURL(m))
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return s.post(ctx, sub, "SubscriptionConfirmation", m.ID, string(b), false)
}

// requestConfirmation queues an HTTP subscription's confirmation request.
func (s *Service) requestConfirmation(ctx context.Context, sub *Subscription, base string) error {
	data, err := json.Marshal(job{Kind: "confirm", Sub: sub.ID, Message: Message{ID: newUUID(), Topic: sub.Topic, BaseURL: base}})
	if err != nil {
		return err
	}
	return s.publishJob(ctx, fanoutSubject, data, "confirm:"+sub.ID+":"+newUUID())
}
