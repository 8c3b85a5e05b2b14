package queues

import (
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/nubo-run/nubo/internal/awsapi"
)

func TestValidateAttributes(t *testing.T) {
	tests := []struct {
		in      map[string]string
		wantErr error
		want    map[string]string
	}{
		{map[string]string{"VisibilityTimeout": " 45"}, nil, map[string]string{"VisibilityTimeout": "45"}},
		{map[string]string{"DelaySeconds": "901"}, ErrAttributeValue, nil},
		{map[string]string{"MaximumMessageSize": "1023"}, ErrAttributeValue, nil},
		{map[string]string{"Colour": "red"}, ErrAttributeName, nil},
		{map[string]string{"QueueArn": "x"}, ErrAttributeName, nil},
		{map[string]string{"Policy": "{"}, ErrAttributeValue, nil},
		{map[string]string{"SqsManagedSseEnabled": "TRUE"}, nil, map[string]string{"SqsManagedSseEnabled": "true"}},
		{map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":5}`}, nil, nil},
		{map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":0}`}, ErrAttributeValue, nil},
		{map[string]string{"RedrivePolicy": `{"deadLetterTargetArn":"nope","maxReceiveCount":1}`}, ErrAttributeValue, nil},
		{map[string]string{"FifoQueue": "TRUE"}, nil, map[string]string{"FifoQueue": "true"}},
		{map[string]string{"DeduplicationScope": "everywhere"}, ErrAttributeValue, nil},
		{map[string]string{"FifoThroughputLimit": "perMessageGroupId"}, nil, nil},
	}
	for _, tt := range tests {
		got, err := ValidateAttributes(tt.in)
		if !errors.Is(err, tt.wantErr) {
			t.Errorf("ValidateAttributes(%v) error = %v, want %v", tt.in, err, tt.wantErr)
			continue
		}
		for k, v := range tt.want {
			if got[k] != v {
				t.Errorf("ValidateAttributes(%v)[%s] = %q, want %q", tt.in, k, got[k], v)
			}
		}
	}
}

// FuzzValidateAttributes: any attribute map is accepted normalized or
// refused with one of the package's errors, never a panic; what is
// accepted validates again unchanged.
func FuzzValidateAttributes(f *testing.F) {
	f.Add("VisibilityTimeout", "30")
	f.Add("RedrivePolicy", `{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:d","maxReceiveCount":"3"}`)
	f.Add("Policy", `{"Statement":[]}`)
	f.Add("DelaySeconds", "-1")
	f.Add("MessageRetentionPeriod", "99999999999999999999")
	f.Fuzz(func(t *testing.T, name, value string) {
		out, err := ValidateAttributes(map[string]string{name: value})
		if err != nil {
			if !errors.Is(err, ErrAttributeName) && !errors.Is(err, ErrAttributeValue) && !errors.Is(err, ErrUnsupported) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		again, err := ValidateAttributes(out)
		if err != nil || again[name] != out[name] {
			t.Fatalf("normalized %q=%q does not validate again: %v", name, out[name], err)
		}
	})
}

// FuzzQueryForm: any form decodes into the SQS inputs, or fails with an
// API error, and the message attributes it carries are accepted or
// refused by the checks, never a panic.
func FuzzQueryForm(f *testing.F) {
	f.Add("Action=SendMessageBatch&SendMessageBatchRequestEntry.1.Id=a&SendMessageBatchRequestEntry.1.MessageBody=x" +
		"&SendMessageBatchRequestEntry.1.MessageAttribute.1.Name=n&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType=Binary" +
		"&SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.BinaryValue=AAE%3D")
	f.Add("Action=ReceiveMessage&AttributeName.1=All&MaxNumberOfMessages=10&WaitTimeSeconds=x")
	f.Add("Action=CreateQueue&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=5&Tag.1.Key=k&Tag.1.Value=v")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		var batch sendBatchIn
		if err := awsapi.DecodeQuery(form, &batch); err == nil {
			for _, e := range batch.Entries {
				attrs, err := attributesIn(e.MessageAttributes)
				if err != nil {
					continue
				}
				m := Outgoing{Body: e.MessageBody, Attributes: attrs, Delay: e.DelaySeconds}
				_ = m.validate(&Queue{Name: "q"})
				_ = attributesMD5(attrs)
			}
		} else if awsapi.AsError(err).Status != 400 {
			t.Fatalf("decode error is not a 400: %v", err)
		}
		var create createQueueIn
		if err := awsapi.DecodeQuery(form, &create); err == nil {
			_, _ = ValidateAttributes(create.Attributes)
		}
		var recv receiveIn
		_ = awsapi.DecodeQuery(form, &recv)
	})
}

// FuzzReceiptHandle: a handle is taken only when it is an ack subject of
// the queue's own stream.
func FuzzReceiptHandle(f *testing.F) {
	f.Add("JEpTLkFDSy5TUVNfYWIucmVjZWl2ZS4xLjIuMy40LjU")
	f.Add("")
	f.Add("%%%")
	q := &Queue{Name: "q", ID: "ab"}
	f.Fuzz(func(t *testing.T, h string) {
		subj, err := handleFor(q, h)
		if err != nil {
			if !errors.Is(err, ErrReceipt) {
				t.Fatalf("error %v is not ErrReceipt", err)
			}
			return
		}
		if !strings.HasPrefix(subj, "$JS.ACK.SQS_ab.receive.") || strings.ContainsAny(subj, " *>") {
			t.Fatalf("accepted %q", subj)
		}
	})
}
