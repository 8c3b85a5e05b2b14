package topics

import (
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Topic attributes.
const (
	AttrFifoTopic                 = "FifoTopic"
	AttrContentBasedDeduplication = "ContentBasedDeduplication"
	AttrPolicy                    = "Policy"
	AttrDisplayName               = "DisplayName"
	AttrDeliveryPolicy            = "DeliveryPolicy"
)

// Subscription attributes.
const (
	AttrRawMessageDelivery = "RawMessageDelivery"
	AttrFilterPolicy       = "FilterPolicy"
	AttrFilterPolicyScope  = "FilterPolicyScope"
	AttrRedrivePolicy      = "RedrivePolicy"
)

// topicSettable are the attributes CreateTopic and SetTopicAttributes take.
var topicSettable = map[string]bool{
	AttrDisplayName: true, AttrPolicy: true, AttrDeliveryPolicy: true, "KmsMasterKeyId": true, "SignatureVersion": true,
	"TracingConfig": true, AttrContentBasedDeduplication: true, AttrFifoTopic: true, "ArchivePolicy": true,
	"FifoThroughputScope": true, "DataProtectionPolicy": true,
	"HTTPSuccessFeedbackRoleArn": true, "HTTPFailureFeedbackRoleArn": true, "HTTPSuccessFeedbackSampleRate": true,
	"LambdaSuccessFeedbackRoleArn": true, "LambdaFailureFeedbackRoleArn": true, "LambdaSuccessFeedbackSampleRate": true,
	"SQSSuccessFeedbackRoleArn": true, "SQSFailureFeedbackRoleArn": true, "SQSSuccessFeedbackSampleRate": true,
}

func checkTopicAttributes(attrs map[string]string, create, fifo bool) error {
	for k, v := range attrs {
		if !topicSettable[k] {
			return invalid("AttributeName")
		}
		switch k {
		case AttrFifoTopic:
			if !create {
				return invalid("AttributeName")
			}
		case AttrContentBasedDeduplication:
			if v != "true" && v != "false" {
				return invalid("ContentBasedDeduplication Reason: must be true or false")
			}
			if v == "true" && !fifo {
				return invalid("ContentBasedDeduplication Reason: Content-based deduplication can only be set for FIFO topics")
			}
		case AttrPolicy, AttrDeliveryPolicy:
			if v != "" && !json.Valid([]byte(v)) {
				return invalid("%s: failed to parse JSON", k)
			}
		}
	}
	return nil
}

// subscriptionSettable are the attributes Subscribe and
// SetSubscriptionAttributes take.
var subscriptionSettable = map[string]bool{
	"DeliveryPolicy": true, AttrFilterPolicy: true, AttrFilterPolicyScope: true, AttrRawMessageDelivery: true,
	AttrRedrivePolicy: true, "SubscriptionRoleArn": true, "ReplayPolicy": true,
}

func (s *Service) checkSubscriptionAttribute(k, v string) error {
	if !subscriptionSettable[k] {
		return invalid("AttributeName")
	}
	switch k {
	case AttrRawMessageDelivery:
		if v != "true" && v != "false" {
			return invalid("Attributes Reason: RawMessageDelivery: Invalid value [%s]. Must be true or false.", v)
		}
	case AttrFilterPolicyScope:
		if v != "MessageAttributes" && v != "MessageBody" {
			return invalid("Attributes Reason: FilterPolicyScope: Invalid value [%s]. Please use either MessageBody or MessageAttributes", v)
		}
	case AttrFilterPolicy:
		if v != "" {
			if _, err := compileFilter(v); err != nil {
				return invalid("FilterPolicy: %v", err)
			}
		}
	case AttrRedrivePolicy:
		if v != "" {
			var rp struct{ DeadLetterTargetArn string }
			if err := json.Unmarshal([]byte(v), &rp); err != nil {
				return invalid("RedrivePolicy: failed to parse JSON.")
			}
			if !strings.HasPrefix(rp.DeadLetterTargetArn, "arn:aws:sqs:") {
				return invalid("RedrivePolicy: deadLetterTargetArn is an invalid arn")
			}
		}
	}
	return nil
}

func (s *Service) checkSubscriptionAttributes(attrs map[string]string) error {
	for k, v := range attrs {
		if err := s.checkSubscriptionAttribute(k, v); err != nil {
			return err
		}
	}
	return nil
}

// checkEndpoint accepts the protocols nubo delivers to: sqs (a queue
// ARN), lambda (a function ARN), and http/https endpoints on a loopback
// address.
func checkEndpoint(protocol, endpoint string) error {
	switch protocol {
	case "sqs":
		if !strings.HasPrefix(endpoint, "arn:aws:sqs:") {
			return invalid("SQS endpoint ARN")
		}
	case "lambda":
		if !strings.HasPrefix(endpoint, "arn:aws:lambda:") {
			return invalid("Lambda endpoint ARN")
		}
	case "http", "https":
		u, err := url.Parse(endpoint)
		if err != nil || u.Scheme != protocol || u.Host == "" {
			return invalid("Endpoint must match the specified protocol")
		}
		if !loopback(u.Hostname()) {
			return invalid("Endpoint: nubo delivers only to loopback addresses, not %s", u.Hostname())
		}
	case "":
		return invalid("Protocol")
	default:
		return invalid("Invalid protocol type: %s", protocol)
	}
	return nil
}

func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// topicAttributes are a topic's attributes as GetTopicAttributes answers.
func (s *Service) topicAttributes(t *Topic) map[string]string {
	out := map[string]string{}
	for k, v := range t.Attributes {
		out[k] = v
	}
	arn := s.ARN(t.Name)
	out["TopicArn"] = arn
	out["Owner"] = s.opts.Account.ID
	if _, ok := out[AttrPolicy]; !ok {
		out[AttrPolicy] = defaultPolicy(arn, s.opts.Account.ID)
	}
	if _, ok := out[AttrDisplayName]; !ok {
		out[AttrDisplayName] = ""
	}
	out["EffectiveDeliveryPolicy"] = `{"http":{"defaultHealthyRetryPolicy":{"minDelayTarget":20,"maxDelayTarget":20,"numRetries":3,"numMaxDelayRetries":0,"numNoDelayRetries":0,"numMinDelayRetries":0,"backoffFunction":"linear"},"disableSubscriptionOverrides":false,"defaultRequestPolicy":{"headerContentType":"text/plain; charset=UTF-8"}}}`
	var confirmed, pending int
	for _, e := range s.scache.List(subsOf(t.Name)) {
		if e.Value.Pending {
			pending++
		} else {
			confirmed++
		}
	}
	out["SubscriptionsConfirmed"] = strconv.Itoa(confirmed)
	out["SubscriptionsPending"] = strconv.Itoa(pending)
	out["SubscriptionsDeleted"] = "0"
	if t.FIFO() {
		out[AttrFifoTopic] = "true"
		if _, ok := out[AttrContentBasedDeduplication]; !ok {
			out[AttrContentBasedDeduplication] = "false"
		}
	}
	return out
}

func defaultPolicy(arn, account string) string {
	return fmt.Sprintf(`{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":%q,"Condition":{"StringEquals":{"AWS:SourceOwner":%q}}}]}`, arn, account)
}

// subscriptionAttributes are a subscription's attributes as
// GetSubscriptionAttributes answers.
func (s *Service) subscriptionAttributes(sub *Subscription) map[string]string {
	out := map[string]string{}
	for k, v := range sub.Attributes {
		out[k] = v
	}
	out["SubscriptionArn"] = s.SubscriptionARN(sub)
	out["TopicArn"] = s.ARN(sub.Topic)
	out["Owner"] = s.opts.Account.ID
	out["Protocol"] = sub.Protocol
	out["Endpoint"] = sub.Endpoint
	out["PendingConfirmation"] = strconv.FormatBool(sub.Pending)
	out["ConfirmationWasAuthenticated"] = strconv.FormatBool(!sub.Pending)
	if _, ok := out[AttrRawMessageDelivery]; !ok {
		out[AttrRawMessageDelivery] = "false"
	}
	if _, ok := out[AttrFilterPolicy]; ok {
		if _, ok := out[AttrFilterPolicyScope]; !ok {
			out[AttrFilterPolicyScope] = "MessageAttributes"
		}
	}
	return out
}
