package queues

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// maxTags is SQS's limit of tags on a queue.
const maxTags = 50

func (s *Service) tagQueue(c *awsapi.Call, in *tagQueueIn) (awsapi.None, error) {
	name, err := s.nameOf(c, in.QueueUrl)
	if err != nil {
		return awsapi.None{}, err
	}
	if len(in.Tags) == 0 {
		return awsapi.None{}, missingParameter("Tags")
	}
	for k, v := range in.Tags {
		if k == "" || len(k) > 128 || len(v) > 256 {
			return awsapi.None{}, invalidParameter("Tag %q: a key is 1 to 128 characters, a value at most 256", k)
		}
	}
	_, err = s.modify(c.Context(), name, func(q *Queue) error {
		if q.Tags == nil {
			q.Tags = map[string]string{}
		}
		for k, v := range in.Tags {
			q.Tags[k] = v
		}
		if len(q.Tags) > maxTags {
			return invalidParameter("Too many tags on queue %s: at most %d", name, maxTags)
		}
		return nil
	}, false)
	return awsapi.None{}, err
}

func (s *Service) untagQueue(c *awsapi.Call, in *untagQueueIn) (awsapi.None, error) {
	name, err := s.nameOf(c, in.QueueUrl)
	if err != nil {
		return awsapi.None{}, err
	}
	if len(in.TagKeys) == 0 {
		return awsapi.None{}, missingParameter("TagKeys")
	}
	_, err = s.modify(c.Context(), name, func(q *Queue) error {
		for _, k := range in.TagKeys {
			delete(q.Tags, k)
		}
		return nil
	}, false)
	return awsapi.None{}, err
}

func (s *Service) listQueueTags(c *awsapi.Call, in *queueURLIn) (listTagsOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return listTagsOut{}, err
	}
	out := listTagsOut{Tags: q.Tags}
	for _, k := range sortedKeys(q.Tags) {
		out.XML = append(out.XML, keyValue{Key: k, Value: q.Tags[k]})
	}
	return out, nil
}

// policyDoc is a queue policy as AddPermission and RemovePermission edit
// it.
type policyDoc struct {
	Version   string            `json:"Version"`
	ID        string            `json:"Id,omitempty"`
	Statement []json.RawMessage `json:"Statement"`
}

type permissionStatement struct {
	Sid       string              `json:"Sid"`
	Effect    string              `json:"Effect"`
	Principal map[string][]string `json:"Principal"`
	Action    []string            `json:"Action"`
	Resource  string              `json:"Resource"`
}

func statementSid(raw json.RawMessage) string {
	var st struct{ Sid string }
	_ = json.Unmarshal(raw, &st)
	return st.Sid
}

// sqsActions are the actions AddPermission grants.
var sqsActions = []string{"*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility",
	"GetQueueAttributes", "GetQueueUrl", "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags"}

func (s *Service) addPermission(c *awsapi.Call, in *addPermissionIn) (awsapi.None, error) {
	name, err := s.nameOf(c, in.QueueUrl)
	if err != nil {
		return awsapi.None{}, err
	}
	switch {
	case in.Label == "":
		return awsapi.None{}, missingParameter("Label")
	case len(in.AWSAccountIds) == 0:
		return awsapi.None{}, missingParameter("AWSAccountIds")
	case len(in.Actions) == 0:
		return awsapi.None{}, missingParameter("Actions")
	}
	st := permissionStatement{Sid: in.Label, Effect: "Allow", Principal: map[string][]string{"AWS": nil}, Resource: s.ARN(name)}
	for _, a := range in.AWSAccountIds {
		st.Principal["AWS"] = append(st.Principal["AWS"], "arn:aws:iam::"+a+":root")
	}
	for _, a := range in.Actions {
		if !slices.Contains(sqsActions, a) {
			return awsapi.None{}, invalidParameter("Value SQS:%s for parameter ActionName is invalid. Reason: Please refer to the appropriate WSDL for a list of valid actions.", a)
		}
		st.Action = append(st.Action, "SQS:"+a)
	}
	raw, err := json.Marshal(st)
	if err != nil {
		return awsapi.None{}, fmt.Errorf("queues: add permission: %w", err)
	}
	_, err = s.modify(c.Context(), name, func(q *Queue) error {
		doc := policyDoc{Version: "2012-10-17", ID: s.ARN(name) + "/SQSDefaultPolicy"}
		if p := q.Attr(AttrPolicy); p != "" {
			if err := json.Unmarshal([]byte(p), &doc); err != nil {
				return invalidParameter("the queue's Policy is not a document AddPermission can extend: %v", err)
			}
		}
		for _, old := range doc.Statement {
			if statementSid(old) == in.Label {
				return invalidParameter("Value %s for parameter Label is invalid. Reason: Already exists.", in.Label)
			}
		}
		doc.Statement = append(doc.Statement, raw)
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		if q.Attributes == nil {
			q.Attributes = map[string]string{}
		}
		q.Attributes[AttrPolicy] = string(b)
		return nil
	}, false)
	return awsapi.None{}, err
}

func (s *Service) removePermission(c *awsapi.Call, in *removePermissionIn) (awsapi.None, error) {
	name, err := s.nameOf(c, in.QueueUrl)
	if err != nil {
		return awsapi.None{}, err
	}
	if in.Label == "" {
		return awsapi.None{}, missingParameter("Label")
	}
	_, err = s.modify(c.Context(), name, func(q *Queue) error {
		var doc policyDoc
		if p := q.Attr(AttrPolicy); p == "" || json.Unmarshal([]byte(p), &doc) != nil {
			return invalidParameter("Value %s for parameter Label is invalid. Reason: can't find label.", in.Label)
		}
		n := len(doc.Statement)
		doc.Statement = slices.DeleteFunc(doc.Statement, func(r json.RawMessage) bool { return statementSid(r) == in.Label })
		if len(doc.Statement) == n {
			return invalidParameter("Value %s for parameter Label is invalid. Reason: can't find label.", in.Label)
		}
		if len(doc.Statement) == 0 {
			delete(q.Attributes, AttrPolicy)
			return nil
		}
		b, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		q.Attributes[AttrPolicy] = string(b)
		return nil
	}, false)
	return awsapi.None{}, err
}
