package topics

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"sort"

	"github.com/nubo-run/nubo/internal/awsapi"
)

const (
	snsVersion   = "2010-03-31"
	snsNamespace = "http://sns.amazonaws.com/doc/2010-03-31/"
	// pageSize is ListTopics' and ListSubscriptions' page (SNS's 100).
	pageSize = 100
)

// API returns the SNS API for the edge (query protocol). Each operation is
// authorized as its sns:* action on the topic it names, with the topic's
// Policy attribute as the resource policy.
func (s *Service) API() (*awsapi.API, error) {
	onTopic := func(c *awsapi.Call, arn string) ([]awsapi.Target, error) { return s.topicTargets(c, arn), nil }
	onSub := func(c *awsapi.Call, arn string) ([]awsapi.Target, error) {
		topic, _, err := s.subName(arn)
		if err != nil {
			return nil, nil
		}
		return s.topicTargets(c, s.ARN(topic)), nil
	}
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "sns",
		SDKID:        "sns",
		Protocol:     awsapi.Query,
		QueryVersion: snsVersion,
		XMLNamespace: snsNamespace,
		Authorizer:   s.opts.Authorizer,
		Logger:       s.log,
		MapError:     wireError,
		MaxBody:      4 << 20,
		// The SubscribeURL an HTTP endpoint is sent is visited unsigned,
		// as on AWS; the token is its credential.
		Unsigned: []string{"ConfirmSubscription"},
		Ops: []awsapi.Declared{
			awsapi.Op[createTopicIn, topicArnOut]{Name: "CreateTopic", Action: "sns:CreateTopic",
				Resources: func(c *awsapi.Call, in *createTopicIn) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: s.ARN(in.Name), RequestTags: tagMap(in.Tags)}}, nil
				},
				Handler: s.createTopic},
			awsapi.Op[topicIn, awsapi.None]{Name: "DeleteTopic", Action: "sns:DeleteTopic",
				Resources: func(c *awsapi.Call, in *topicIn) ([]awsapi.Target, error) { return onTopic(c, in.TopicArn) },
				Handler:   s.deleteTopic},
			awsapi.Op[listIn, listTopicsOut]{Name: "ListTopics", Action: "sns:ListTopics", Handler: s.listTopics},
			awsapi.Op[topicIn, attributesOut]{Name: "GetTopicAttributes", Action: "sns:GetTopicAttributes",
				Resources: func(c *awsapi.Call, in *topicIn) ([]awsapi.Target, error) { return onTopic(c, in.TopicArn) },
				Handler:   s.getTopicAttributes},
			awsapi.Op[setAttributeIn, awsapi.None]{Name: "SetTopicAttributes", Action: "sns:SetTopicAttributes",
				Resources: func(c *awsapi.Call, in *setAttributeIn) ([]awsapi.Target, error) { return onTopic(c, in.TopicArn) },
				Handler:   s.setTopicAttributes},
			awsapi.Op[subscribeIn, subscriptionArnOut]{Name: "Subscribe", Action: "sns:Subscribe",
				Resources: func(c *awsapi.Call, in *subscribeIn) ([]awsapi.Target, error) { return onTopic(c, in.TopicArn) },
				Handler:   s.subscribe},
			awsapi.Op[confirmIn, subscriptionArnOut]{Name: "ConfirmSubscription", Action: awsapi.NoPermission,
				Handler: s.confirmSubscription},
			awsapi.Op[subscriptionIn, awsapi.None]{Name: "Unsubscribe", Action: "sns:Unsubscribe",
				Resources: func(c *awsapi.Call, in *subscriptionIn) ([]awsapi.Target, error) { return onSub(c, in.SubscriptionArn) },
				Handler: func(c *awsapi.Call, in *subscriptionIn) (awsapi.None, error) {
					return awsapi.None{}, s.Unsubscribe(c.Context(), in.SubscriptionArn)
				}},
			awsapi.Op[listSubscriptionsIn, listSubscriptionsOut]{Name: "ListSubscriptions", Action: "sns:ListSubscriptions",
				Handler: s.listSubscriptions},
			awsapi.Op[listSubscriptionsIn, listSubscriptionsOut]{Name: "ListSubscriptionsByTopic", Action: "sns:ListSubscriptionsByTopic",
				Resources: func(c *awsapi.Call, in *listSubscriptionsIn) ([]awsapi.Target, error) { return onTopic(c, in.TopicArn) },
				Handler:   s.listSubscriptionsByTopic},
			awsapi.Op[subscriptionIn, attributesOut]{Name: "GetSubscriptionAttributes", Action: "sns:GetSubscriptionAttributes",
				Resources: func(c *awsapi.Call, in *subscriptionIn) ([]awsapi.Target, error) { return onSub(c, in.SubscriptionArn) },
				Handler:   s.getSubscriptionAttributes},
			awsapi.Op[setAttributeIn, awsapi.None]{Name: "SetSubscriptionAttributes", Action: "sns:SetSubscriptionAttributes",
				Resources: func(c *awsapi.Call, in *setAttributeIn) ([]awsapi.Target, error) { return onSub(c, in.SubscriptionArn) },
				Handler:   s.setSubscriptionAttributes},
			awsapi.Op[publishIn, publishOut]{Name: "Publish", Action: "sns:Publish",
				Resources: func(c *awsapi.Call, in *publishIn) ([]awsapi.Target, error) {
					return onTopic(c, firstOf(in.TopicArn, in.TargetArn))
				},
				Handler: s.publish},
			awsapi.Op[publishBatchIn, publishBatchOut]{Name: "PublishBatch", Action: "sns:Publish",
				Resources: func(c *awsapi.Call, in *publishBatchIn) ([]awsapi.Target, error) { return onTopic(c, in.TopicArn) },
				Handler:   s.publishBatch},
			awsapi.Op[tagResourceIn, emptyResult]{Name: "TagResource", Action: "sns:TagResource",
				Resources: func(c *awsapi.Call, in *tagResourceIn) ([]awsapi.Target, error) {
					t := s.topicTargets(c, in.ResourceArn)
					for i := range t {
						t[i].RequestTags = tagMap(in.Tags)
					}
					return t, nil
				},
				Handler: s.tagResource},
			awsapi.Op[untagResourceIn, emptyResult]{Name: "UntagResource", Action: "sns:UntagResource",
				Resources: func(c *awsapi.Call, in *untagResourceIn) ([]awsapi.Target, error) { return onTopic(c, in.ResourceArn) },
				Handler:   s.untagResource},
			awsapi.Op[resourceIn, listTagsOut]{Name: "ListTagsForResource", Action: "sns:ListTagsForResource",
				Resources: func(c *awsapi.Call, in *resourceIn) ([]awsapi.Target, error) { return onTopic(c, in.ResourceArn) },
				Handler:   s.listTags},
		},
	})
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// topicTargets is the topic an ARN names, with its explicit policy and tags.
func (s *Service) topicTargets(c *awsapi.Call, arn string) []awsapi.Target {
	if arn == "" {
		return nil
	}
	t := awsapi.Target{Resource: arn}
	if name, err := s.TopicName(arn); err == nil {
		if tp, err := s.Get(c.Context(), name); err == nil {
			t.ResourcePolicy = tp.Attributes[AttrPolicy]
			t.ResourceTags = tp.Tags
		}
	}
	return []awsapi.Target{t}
}

// baseURL is nubo's endpoint as the caller reached it.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r != nil && r.TLS != nil {
		scheme = "https"
	}
	host := "localhost"
	if r != nil && r.Host != "" {
		host = r.Host
	}
	return scheme + "://" + host
}

func entries(m map[string]string) attributesOut {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := attributesOut{Attributes: []entry{}}
	for _, k := range keys {
		out.Attributes = append(out.Attributes, entry{Key: k, Value: m[k]})
	}
	return out
}

func (s *Service) createTopic(c *awsapi.Call, in *createTopicIn) (topicArnOut, error) {
	t, err := s.Create(c.Context(), in.Name, in.Attributes, tagMap(in.Tags))
	if err != nil {
		return topicArnOut{}, err
	}
	return topicArnOut{TopicArn: s.ARN(t.Name)}, nil
}

func (s *Service) deleteTopic(c *awsapi.Call, in *topicIn) (awsapi.None, error) {
	name, err := s.TopicName(in.TopicArn)
	if errors.Is(err, ErrNotFound) {
		return awsapi.None{}, nil
	}
	if err != nil {
		return awsapi.None{}, err
	}
	return awsapi.None{}, s.Delete(c.Context(), name)
}

func (s *Service) listTopics(c *awsapi.Call, in *listIn) (listTopicsOut, error) {
	ts, err := s.List()
	if err != nil {
		return listTopicsOut{}, err
	}
	arns := make([]topicMember, len(ts))
	for i, t := range ts {
		arns[i] = topicMember{TopicArn: s.ARN(t.Name)}
	}
	page, next, err := awsapi.Page(arns, in.NextToken, pageSize, pageSize)
	if errors.Is(err, awsapi.ErrInvalidToken) {
		return listTopicsOut{}, invalid("NextToken")
	}
	return listTopicsOut{Topics: page, NextToken: next}, err
}

func (s *Service) topicOf(c *awsapi.Call, arn string) (*Topic, error) {
	if arn == "" {
		return nil, invalid("TopicArn")
	}
	name, err := s.TopicName(arn)
	if err != nil {
		return nil, err
	}
	return s.Get(c.Context(), name)
}

func (s *Service) getTopicAttributes(c *awsapi.Call, in *topicIn) (attributesOut, error) {
	t, err := s.topicOf(c, in.TopicArn)
	if err != nil {
		return attributesOut{}, err
	}
	return entries(s.topicAttributes(t)), nil
}

func (s *Service) setTopicAttributes(c *awsapi.Call, in *setAttributeIn) (awsapi.None, error) {
	t, err := s.topicOf(c, in.TopicArn)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = s.SetTopicAttribute(c.Context(), t.Name, in.AttributeName, in.AttributeValue)
	return awsapi.None{}, err
}

// SetTopicAttribute sets (or, with an empty Policy, resets) an attribute.
func (s *Service) SetTopicAttribute(ctx context.Context, name, attr, value string) (*Topic, error) {
	return s.modifyTopic(ctx, name, func(t *Topic) error {
		if err := checkTopicAttributes(map[string]string{attr: value}, false, t.FIFO()); err != nil {
			return err
		}
		if value == "" && attr == AttrPolicy {
			delete(t.Attributes, attr)
			return nil
		}
		t.Attributes[attr] = value
		return nil
	})
}

func (s *Service) subscribe(c *awsapi.Call, in *subscribeIn) (subscriptionArnOut, error) {
	t, err := s.topicOf(c, in.TopicArn)
	if err != nil {
		return subscriptionArnOut{}, err
	}
	sub, err := s.Subscribe(c.Context(), t.Name, in.Protocol, in.Endpoint, in.Attributes)
	if err != nil {
		return subscriptionArnOut{}, err
	}
	if sub.Pending {
		if err := s.requestConfirmation(c.Context(), sub, baseURL(c.R)); err != nil {
			return subscriptionArnOut{}, err
		}
		if !in.ReturnSubscriptionArn {
			return subscriptionArnOut{SubscriptionArn: "pending confirmation"}, nil
		}
	}
	return subscriptionArnOut{SubscriptionArn: s.SubscriptionARN(sub)}, nil
}

func (s *Service) confirmSubscription(c *awsapi.Call, in *confirmIn) (subscriptionArnOut, error) {
	t, err := s.topicOf(c, in.TopicArn)
	if err != nil {
		return subscriptionArnOut{}, err
	}
	if in.Token == "" {
		return subscriptionArnOut{}, invalid("Token")
	}
	sub, err := s.Confirm(c.Context(), t.Name, in.Token)
	if err != nil {
		return subscriptionArnOut{}, err
	}
	return subscriptionArnOut{SubscriptionArn: s.SubscriptionARN(sub)}, nil
}

func (s *Service) members(subs []*Subscription) []subscriptionMember {
	out := make([]subscriptionMember, len(subs))
	for i, sub := range subs {
		arn := s.SubscriptionARN(sub)
		if sub.Pending {
			arn = "PendingConfirmation"
		}
		out[i] = subscriptionMember{SubscriptionArn: arn, Owner: s.opts.Account.ID, Protocol: sub.Protocol, Endpoint: sub.Endpoint, TopicArn: s.ARN(sub.Topic)}
	}
	return out
}

func (s *Service) listSubscriptions(c *awsapi.Call, in *listSubscriptionsIn) (listSubscriptionsOut, error) {
	return s.pageSubscriptions("", in.NextToken)
}

func (s *Service) listSubscriptionsByTopic(c *awsapi.Call, in *listSubscriptionsIn) (listSubscriptionsOut, error) {
	t, err := s.topicOf(c, in.TopicArn)
	if err != nil {
		return listSubscriptionsOut{}, err
	}
	return s.pageSubscriptions(t.Name, in.NextToken)
}

func (s *Service) pageSubscriptions(topic, token string) (listSubscriptionsOut, error) {
	subs, err := s.Subscriptions(topic)
	if err != nil {
		return listSubscriptionsOut{}, err
	}
	page, next, err := awsapi.Page(s.members(subs), token, pageSize, pageSize)
	if errors.Is(err, awsapi.ErrInvalidToken) {
		return listSubscriptionsOut{}, invalid("NextToken")
	}
	return listSubscriptionsOut{Subscriptions: page, NextToken: next}, err
}

func (s *Service) getSubscriptionAttributes(c *awsapi.Call, in *subscriptionIn) (attributesOut, error) {
	sub, err := s.Subscription(c.Context(), in.SubscriptionArn)
	if err != nil {
		return attributesOut{}, err
	}
	return entries(s.subscriptionAttributes(sub)), nil
}

func (s *Service) setSubscriptionAttributes(c *awsapi.Call, in *setAttributeIn) (awsapi.None, error) {
	topic, id, err := s.subName(in.SubscriptionArn)
	if err != nil {
		return awsapi.None{}, err
	}
	if err := s.checkSubscriptionAttribute(in.AttributeName, in.AttributeValue); err != nil {
		return awsapi.None{}, err
	}
	_, err = s.modifySubscription(c.Context(), topic, id, func(sub *Subscription) error {
		if in.AttributeValue == "" {
			delete(sub.Attributes, in.AttributeName)
		} else {
			sub.Attributes[in.AttributeName] = in.AttributeValue
		}
		return nil
	})
	return awsapi.None{}, err
}

var attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// messageAttributes checks and converts a request's message attributes.
func messageAttributes(in map[string]wireAttribute) (map[string]Attribute, error) {
	if len(in) == 0 {
		return nil, nil
	}
	if len(in) > 10 {
		return nil, awsapi.Errorf(http.StatusBadRequest, "InvalidParameterValue", "Number of message attributes [%d] exceeds the allowed maximum [10].", len(in))
	}
	out := make(map[string]Attribute, len(in))
	for name, a := range in {
		if !attrNameRE.MatchString(name) || name[0] == '.' || name[len(name)-1] == '.' {
			return nil, awsapi.Errorf(http.StatusBadRequest, "InvalidParameterValue", "Message attribute name '%s' has an invalid character.", name)
		}
		attr := Attribute{DataType: a.DataType, StringValue: a.StringValue}
		switch baseType(a.DataType) {
		case "String", "Number":
			if a.StringValue == "" {
				return nil, awsapi.Errorf(http.StatusBadRequest, "ParameterValueInvalid", "The message attribute '%s' must contain non-empty message attribute value for message attribute type '%s'.", name, a.DataType)
			}
			if a.DataType == "String.Array" && !validArray(a.StringValue) {
				return nil, awsapi.Errorf(http.StatusBadRequest, "ParameterValueInvalid", "The message attribute '%s' with type 'String.Array' has an invalid value: not a JSON array of strings, numbers, booleans or nulls.", name)
			}
			if baseType(a.DataType) == "Number" && !validNumber(a.StringValue) {
				return nil, awsapi.Errorf(http.StatusBadRequest, "ParameterValueInvalid", "Could not cast message attribute '%s' value to number.", name)
			}
		case "Binary":
			b, err := base64.StdEncoding.DecodeString(a.BinaryValue)
			if err != nil || len(b) == 0 {
				return nil, awsapi.Errorf(http.StatusBadRequest, "ParameterValueInvalid", "The message attribute '%s' must contain non-empty message attribute value for message attribute type 'Binary'.", name)
			}
			attr.BinaryValue = b
		case "":
			return nil, awsapi.Errorf(http.StatusBadRequest, "ParameterValueInvalid", "The message attribute '%s' must contain non-empty message attribute type.", name)
		default:
			return nil, awsapi.Errorf(http.StatusBadRequest, "ParameterValueInvalid", "The message attribute '%s' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.", name)
		}
		out[name] = attr
	}
	return out, nil
}

func validArray(v string) bool {
	var arr []any
	if err := json.Unmarshal([]byte(v), &arr); err != nil {
		return false
	}
	for _, e := range arr {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

var numberRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$`)

func validNumber(v string) bool { return len(v) <= 64 && numberRE.MatchString(v) }

// message builds a Message from a publish request's fields.
func (s *Service) message(c *awsapi.Call, topic, body, subject, structure string, attrs map[string]wireAttribute, group, dedup string) (Message, error) {
	m := Message{Topic: topic, Body: body, Subject: subject, GroupID: group, DedupID: dedup, BaseURL: baseURL(c.R)}
	if len(subject) > 100 {
		return m, invalid("Subject")
	}
	var err error
	if m.Attributes, err = messageAttributes(attrs); err != nil {
		return m, err
	}
	switch structure {
	case "":
	case "json":
		var per map[string]string
		if err := json.Unmarshal([]byte(body), &per); err != nil {
			return m, invalid("Message Structure - JSON message body failed to parse")
		}
		if _, ok := per["default"]; !ok {
			return m, invalid("Message Structure - No default entry in JSON message body")
		}
		m.Structured = per
	default:
		return m, invalid("MessageStructure")
	}
	return m, nil
}

func (s *Service) publish(c *awsapi.Call, in *publishIn) (publishOut, error) {
	if in.PhoneNumber != "" {
		return publishOut{}, invalid("PhoneNumber Reason: nubo does not send SMS")
	}
	arn := firstOf(in.TopicArn, in.TargetArn)
	if arn == "" {
		return publishOut{}, invalid("TopicArn or TargetArn Reason: no value for required parameter")
	}
	name, err := s.TopicName(arn)
	if err != nil {
		return publishOut{}, err
	}
	m, err := s.message(c, name, in.Message, in.Subject, in.MessageStructure, in.MessageAttributes, in.MessageGroupId, in.MessageDeduplicationId)
	if err != nil {
		return publishOut{}, err
	}
	m, err = s.Publish(c.Context(), m)
	if err != nil {
		return publishOut{}, err
	}
	return publishOut{MessageId: m.ID, SequenceNumber: m.Sequence}, nil
}

var batchIDRE = regexp.MustCompile(`^[A-Za-z0-9_-]{1,80}$`)

func (s *Service) publishBatch(c *awsapi.Call, in *publishBatchIn) (publishBatchOut, error) {
	name, err := s.TopicName(in.TopicArn)
	if err != nil {
		return publishBatchOut{}, err
	}
	if _, err := s.Get(c.Context(), name); err != nil {
		return publishBatchOut{}, err
	}
	n := len(in.PublishBatchRequestEntries)
	if n == 0 {
		return publishBatchOut{}, awsapi.NewError(http.StatusBadRequest, "EmptyBatchRequest", "The batch request doesn't contain any entries")
	}
	if n > 10 {
		return publishBatchOut{}, awsapi.Errorf(http.StatusBadRequest, "TooManyEntriesInBatchRequest", "The batch request contains more entries than permissible (%d > 10)", n)
	}
	seen := map[string]bool{}
	for _, e := range in.PublishBatchRequestEntries {
		if !batchIDRE.MatchString(e.Id) {
			return publishBatchOut{}, awsapi.NewError(http.StatusBadRequest, "InvalidBatchEntryId", "The Id of a batch entry in a batch request doesn't abide by the specification.")
		}
		if seen[e.Id] {
			return publishBatchOut{}, awsapi.NewError(http.StatusBadRequest, "BatchEntryIdsNotDistinct", "Two or more batch entries in the request have the same Id.")
		}
		seen[e.Id] = true
	}
	out := publishBatchOut{Successful: []batchSuccess{}, Failed: []batchFailure{}}
	for _, e := range in.PublishBatchRequestEntries {
		m, err := s.message(c, name, e.Message, e.Subject, e.MessageStructure, e.MessageAttributes, e.MessageGroupId, e.MessageDeduplicationId)
		if err == nil {
			m, err = s.Publish(c.Context(), m)
		}
		if err != nil {
			var ae *awsapi.Error
			if !errors.As(wireError(err), &ae) || ae.Status >= 500 {
				return publishBatchOut{}, err
			}
			out.Failed = append(out.Failed, batchFailure{Id: e.Id, Code: ae.Code, Message: ae.Message, SenderFault: true})
			continue
		}
		out.Successful = append(out.Successful, batchSuccess{Id: e.Id, MessageId: m.ID, SequenceNumber: m.Sequence})
	}
	return out, nil
}

func (s *Service) tagResource(c *awsapi.Call, in *tagResourceIn) (emptyResult, error) {
	t, err := s.tagTopic(c, in.ResourceArn)
	if err != nil {
		return emptyResult{}, err
	}
	_, err = s.modifyTopic(c.Context(), t.Name, func(t *Topic) error {
		for _, tg := range in.Tags {
			t.Tags[tg.Key] = tg.Value
		}
		if len(t.Tags) > 50 {
			return awsapi.NewError(http.StatusBadRequest, "TagLimitExceeded", "Could not complete request: tag quota of per resource exceeded")
		}
		return nil
	})
	return emptyResult{}, err
}

func (s *Service) tagTopic(c *awsapi.Call, arn string) (*Topic, error) {
	name, err := s.TopicName(arn)
	if err != nil {
		return nil, awsapi.NewError(http.StatusNotFound, "ResourceNotFound", "Resource does not exist")
	}
	t, err := s.Get(c.Context(), name)
	if err != nil {
		return nil, awsapi.NewError(http.StatusNotFound, "ResourceNotFound", "Resource does not exist")
	}
	return t, nil
}

func (s *Service) untagResource(c *awsapi.Call, in *untagResourceIn) (emptyResult, error) {
	t, err := s.tagTopic(c, in.ResourceArn)
	if err != nil {
		return emptyResult{}, err
	}
	_, err = s.modifyTopic(c.Context(), t.Name, func(t *Topic) error {
		for _, k := range in.TagKeys {
			delete(t.Tags, k)
		}
		return nil
	})
	return emptyResult{}, err
}

func (s *Service) listTags(c *awsapi.Call, in *resourceIn) (listTagsOut, error) {
	t, err := s.tagTopic(c, in.ResourceArn)
	if err != nil {
		return listTagsOut{}, err
	}
	keys := make([]string, 0, len(t.Tags))
	for k := range t.Tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := listTagsOut{Tags: []tag{}}
	for _, k := range keys {
		out.Tags = append(out.Tags, tag{Key: k, Value: t.Tags[k]})
	}
	return out, nil
}
