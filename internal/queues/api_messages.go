package queues

import (
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// attributesIn turns wire message attributes into stored ones (the query
// protocol's binary values arrive as base64 text).
func attributesIn(in map[string]wireAttribute) (map[string]MessageAttribute, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]MessageAttribute, len(in))
	for name, a := range in {
		b := a.BinaryValue
		if len(b) == 0 && a.BinaryBase64 != "" {
			var err error
			if b, err = base64.StdEncoding.DecodeString(a.BinaryBase64); err != nil {
				return nil, invalidParameter("Message attribute %s: BinaryValue is not base64: %v", name, err)
			}
		}
		out[name] = MessageAttribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: b}
	}
	return out, nil
}

// traceHeader reads the one message system attribute SQS takes.
func traceHeader(in map[string]wireAttribute) (string, error) {
	for name, a := range in {
		if name != "AWSTraceHeader" {
			return "", invalidParameter("Message system attribute name '%s' is invalid.", name)
		}
		if a.DataType != "String" || a.StringValue == "" {
			return "", invalidParameter("Message system attribute AWSTraceHeader must be a non-empty String.")
		}
		return a.StringValue, nil
	}
	return "", nil
}

// senderID is the SenderId system attribute of the caller.
func senderID(c *awsapi.Call) string {
	p, ok := awsapi.PrincipalFrom(c.Context())
	if !ok {
		return ""
	}
	if p.AccessKeyID != "" {
		return p.AccessKeyID
	}
	return p.ARN
}

func (s *Service) outgoing(c *awsapi.Call, body string, delay *int64, attrs, sys map[string]wireAttribute, group, dedup string) (Outgoing, error) {
	a, err := attributesIn(attrs)
	if err != nil {
		return Outgoing{}, err
	}
	trace, err := traceHeader(sys)
	if err != nil {
		return Outgoing{}, err
	}
	return Outgoing{Body: body, Attributes: a, TraceHeader: trace, Delay: delay, SenderID: senderID(c), GroupID: group, DeduplicationID: dedup}, nil
}

func sentOut(r Sent) sendMessageOut {
	return sendMessageOut{MessageId: r.MessageID, MD5OfMessageBody: r.BodyMD5, MD5OfMessageAttributes: r.AttributesMD5,
		MD5OfMessageSystemAttributes: r.SystemAttributes, SequenceNumber: r.SequenceNumber}
}

func (s *Service) sendMessage(c *awsapi.Call, in *sendMessageIn) (sendMessageOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return sendMessageOut{}, err
	}
	if in.MessageBody == "" {
		return sendMessageOut{}, missingParameter("MessageBody")
	}
	m, err := s.outgoing(c, in.MessageBody, in.DelaySeconds, in.MessageAttributes, in.MessageSystemAttributes, in.MessageGroupId, in.MessageDeduplicationId)
	if err != nil {
		return sendMessageOut{}, err
	}
	r, err := s.send(c.Context(), q, m)
	if err != nil {
		return sendMessageOut{}, err
	}
	return sentOut(r), nil
}

var entryIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

// checkBatch applies SQS's batch rules: 1 to 10 entries, ids well formed
// and distinct.
func checkBatch(ids []string) error {
	if len(ids) == 0 {
		return emptyBatch()
	}
	if len(ids) > 10 {
		return tooManyEntries(len(ids))
	}
	seen := map[string]bool{}
	for _, id := range ids {
		if !entryIDRE.MatchString(id) {
			return invalidEntryID(id)
		}
		if seen[id] {
			return idsNotDistinct(id)
		}
		seen[id] = true
	}
	return nil
}

// entryError is a batch entry's failure as SQS reports it.
func entryError(id string, err error) batchError {
	e := awsapi.AsError(wireError(err))
	code := e.Code
	if e.QueryCode != "" {
		code = e.QueryCode
	}
	return batchError{Id: id, SenderFault: !e.Server, Code: code, Message: e.Message}
}

func (s *Service) sendMessageBatch(c *awsapi.Call, in *sendBatchIn) (sendBatchOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return sendBatchOut{}, err
	}
	ids := make([]string, len(in.Entries))
	total := 0
	for i, e := range in.Entries {
		ids[i] = e.Id
		total += len(e.MessageBody)
		for n, a := range e.MessageAttributes {
			total += len(n) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue) + len(a.BinaryBase64)*3/4
		}
	}
	if err := checkBatch(ids); err != nil {
		return sendBatchOut{}, err
	}
	if total > MaxMessageSize {
		return sendBatchOut{}, batchTooLong(total)
	}
	out := sendBatchOut{Successful: []sendBatchResult{}, Failed: []batchError{}}
	var ms []Outgoing
	var sentIDs []string
	for _, e := range in.Entries {
		m, err := s.outgoing(c, e.MessageBody, e.DelaySeconds, e.MessageAttributes, e.MessageSystemAttributes, e.MessageGroupId, e.MessageDeduplicationId)
		if err == nil && e.MessageBody == "" {
			err = missingParameter("MessageBody")
		}
		if err != nil {
			out.Failed = append(out.Failed, entryError(e.Id, err))
			continue
		}
		ms = append(ms, m)
		sentIDs = append(sentIDs, e.Id)
	}
	sent, errs := s.sendAll(c.Context(), q, ms)
	for i, r := range sent {
		if errs[i] != nil {
			out.Failed = append(out.Failed, entryError(sentIDs[i], errs[i]))
			continue
		}
		out.Successful = append(out.Successful, sendBatchResult{Id: sentIDs[i], sendMessageOut: sentOut(r)})
	}
	return out, nil
}

// systemAttributeNames are the system attributes ReceiveMessage can return.
var systemAttributeNames = map[string]bool{"All": true, "ApproximateReceiveCount": true, "ApproximateFirstReceiveTimestamp": true,
	"SenderId": true, "SentTimestamp": true, "AWSTraceHeader": true, "MessageDeduplicationId": true, "MessageGroupId": true,
	"SequenceNumber": true, "SqsManagedSseEnabled": true, "DeadLetterQueueSourceArn": true}

func (s *Service) receiveMessage(c *awsapi.Call, in *receiveIn) (receiveOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return receiveOut{}, err
	}
	o := receiveOptions{max: 1, wait: time.Duration(q.intAttr(AttrReceiveMessageWaitTimeSeconds)) * time.Second, visibility: in.VisibilityTimeout}
	if in.MaxNumberOfMessages != nil {
		if *in.MaxNumberOfMessages < 1 || *in.MaxNumberOfMessages > 10 {
			return receiveOut{}, invalidParameter("Value %d for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", *in.MaxNumberOfMessages)
		}
		o.max = *in.MaxNumberOfMessages
	}
	if in.WaitTimeSeconds != nil {
		if *in.WaitTimeSeconds < 0 || *in.WaitTimeSeconds > 20 {
			return receiveOut{}, invalidParameter("Value %d for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.", *in.WaitTimeSeconds)
		}
		o.wait = time.Duration(*in.WaitTimeSeconds) * time.Second
	}
	if v := in.VisibilityTimeout; v != nil && (*v < 0 || *v > 43200) {
		return receiveOut{}, invalidParameter("Value %d for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.", *v)
	}
	wantSys := map[string]bool{}
	for _, n := range append(append([]string{}, in.AttributeNames...), in.MessageSystemAttributeNames...) {
		if !systemAttributeNames[n] && !isSettable(n) && !isReadOnly(n) {
			return receiveOut{}, fmt.Errorf("%w: Unknown Attribute %s.", ErrAttributeName, n)
		}
		wantSys[n] = true
	}
	msgs, err := s.receive(c.Context(), q, o)
	if err != nil {
		return receiveOut{}, err
	}
	out := receiveOut{}
	for _, m := range msgs {
		w := wireMessage{MessageId: m.MessageID, ReceiptHandle: m.ReceiptHandle, MD5OfBody: m.BodyMD5, Body: m.Body}
		for n, v := range m.System {
			if wantSys["All"] || wantSys[n] {
				if w.Attributes == nil {
					w.Attributes = map[string]string{}
				}
				w.Attributes[n] = v
			}
		}
		for _, n := range sortedKeys(w.Attributes) {
			w.XMLAttributes = append(w.XMLAttributes, nameValue{Name: n, Value: w.Attributes[n]})
		}
		picked := pickAttributes(m.Attributes, in.MessageAttributeNames)
		if len(picked) > 0 {
			w.MD5OfMessageAttributes = attributesMD5(picked)
			w.MessageAttributes = map[string]wireAttribute{}
			for _, n := range sortedKeys(picked) {
				a := picked[n]
				wa := wireAttribute{DataType: a.DataType, StringValue: a.StringValue, BinaryValue: a.BinaryValue}
				if len(a.BinaryValue) > 0 {
					wa.BinaryBase64 = base64.StdEncoding.EncodeToString(a.BinaryValue)
				}
				w.MessageAttributes[n] = wa
				w.XMLMessageAttributes = append(w.XMLMessageAttributes, xmlMessageAttribute{Name: n, Value: wa})
			}
		}
		out.Messages = append(out.Messages, w)
	}
	return out, nil
}

// pickAttributes keeps the message attributes MessageAttributeNames asks
// for: "All" or ".*", names, and prefixes ending in ".*".
func pickAttributes(attrs map[string]MessageAttribute, names []string) map[string]MessageAttribute {
	if len(attrs) == 0 || len(names) == 0 {
		return nil
	}
	out := map[string]MessageAttribute{}
	for n, a := range attrs {
		for _, want := range names {
			if want == "All" || want == ".*" || want == n ||
				(strings.HasSuffix(want, ".*") && strings.HasPrefix(n, strings.TrimSuffix(want, "*"))) {
				out[n] = a
				break
			}
		}
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Service) deleteMessageOp(c *awsapi.Call, in *receiptIn) (awsapi.None, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return awsapi.None{}, err
	}
	if in.ReceiptHandle == "" {
		return awsapi.None{}, missingParameter("ReceiptHandle")
	}
	if err := s.deleteMessage(q, in.ReceiptHandle); err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, s.flush()
}

func (s *Service) deleteMessageBatch(c *awsapi.Call, in *deleteBatchIn) (deleteBatchOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return deleteBatchOut{}, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return deleteBatchOut{}, err
	}
	out := deleteBatchOut{Successful: []idResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		if err := s.deleteMessage(q, e.ReceiptHandle); err != nil {
			out.Failed = append(out.Failed, entryError(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, idResult{Id: e.Id})
	}
	return out, s.flush()
}

func (s *Service) changeVisibilityOp(c *awsapi.Call, in *visibilityIn) (awsapi.None, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return awsapi.None{}, err
	}
	if in.ReceiptHandle == "" {
		return awsapi.None{}, missingParameter("ReceiptHandle")
	}
	if in.VisibilityTimeout == nil {
		return awsapi.None{}, missingParameter("VisibilityTimeout")
	}
	return awsapi.None{}, s.changeMessageVisibility(q, in.ReceiptHandle, *in.VisibilityTimeout)
}

func (s *Service) changeVisibilityBatch(c *awsapi.Call, in *visibilityBatchIn) (visibilityBatchOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return visibilityBatchOut{}, err
	}
	ids := make([]string, len(in.Entries))
	for i, e := range in.Entries {
		ids[i] = e.Id
	}
	if err := checkBatch(ids); err != nil {
		return visibilityBatchOut{}, err
	}
	out := visibilityBatchOut{Successful: []idResult{}, Failed: []batchError{}}
	for _, e := range in.Entries {
		var err error
		if e.VisibilityTimeout == nil {
			err = errors.New("missing VisibilityTimeout")
			out.Failed = append(out.Failed, batchError{Id: e.Id, SenderFault: true, Code: "MissingParameter", Message: "The request must contain the parameter VisibilityTimeout."})
			continue
		}
		if err = s.changeMessageVisibility(q, e.ReceiptHandle, *e.VisibilityTimeout); err != nil {
			out.Failed = append(out.Failed, entryError(e.Id, err))
			continue
		}
		out.Successful = append(out.Successful, idResult{Id: e.Id})
	}
	return out, nil
}
