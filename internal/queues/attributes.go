package queues

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Queue attributes a caller may set, and their defaults (SQS's).
const (
	AttrDelaySeconds                  = "DelaySeconds"
	AttrMaximumMessageSize            = "MaximumMessageSize"
	AttrMessageRetentionPeriod        = "MessageRetentionPeriod"
	AttrPolicy                        = "Policy"
	AttrReceiveMessageWaitTimeSeconds = "ReceiveMessageWaitTimeSeconds"
	AttrVisibilityTimeout             = "VisibilityTimeout"
	AttrRedrivePolicy                 = "RedrivePolicy"
	AttrRedriveAllowPolicy            = "RedriveAllowPolicy"
	AttrKmsMasterKeyID                = "KmsMasterKeyId"
	AttrKmsDataKeyReusePeriodSeconds  = "KmsDataKeyReusePeriodSeconds"
	AttrSqsManagedSseEnabled          = "SqsManagedSseEnabled"
	AttrFifoQueue                     = "FifoQueue"
	AttrContentBasedDeduplication     = "ContentBasedDeduplication"
	AttrDeduplicationScope            = "DeduplicationScope"
	AttrFifoThroughputLimit           = "FifoThroughputLimit"
)

// Read-only attributes.
const (
	AttrApproximateNumberOfMessages           = "ApproximateNumberOfMessages"
	AttrApproximateNumberOfMessagesNotVisible = "ApproximateNumberOfMessagesNotVisible"
	AttrApproximateNumberOfMessagesDelayed    = "ApproximateNumberOfMessagesDelayed"
	AttrCreatedTimestamp                      = "CreatedTimestamp"
	AttrLastModifiedTimestamp                 = "LastModifiedTimestamp"
	AttrQueueArn                              = "QueueArn"
)

// intRange is a numeric attribute's bounds.
type intRange struct{ min, max int64 }

var intAttrs = map[string]intRange{
	AttrDelaySeconds:                  {0, 900},
	AttrMaximumMessageSize:            {1024, MaxMessageSize},
	AttrMessageRetentionPeriod:        {60, 1209600},
	AttrReceiveMessageWaitTimeSeconds: {0, 20},
	AttrVisibilityTimeout:             {0, 43200},
	AttrKmsDataKeyReusePeriodSeconds:  {60, 86400},
}

// defaults are the values a queue has for attributes not given.
var defaults = map[string]string{
	AttrDelaySeconds:                  "0",
	AttrMaximumMessageSize:            strconv.Itoa(MaxMessageSize),
	AttrMessageRetentionPeriod:        "345600",
	AttrReceiveMessageWaitTimeSeconds: "0",
	AttrVisibilityTimeout:             "30",
	AttrSqsManagedSseEnabled:          "true",
}

// readOnly are the attributes GetQueueAttributes reports and no one sets.
var readOnly = []string{AttrApproximateNumberOfMessages, AttrApproximateNumberOfMessagesNotVisible,
	AttrApproximateNumberOfMessagesDelayed, AttrCreatedTimestamp, AttrLastModifiedTimestamp, AttrQueueArn}

// settable lists the attributes CreateQueue and SetQueueAttributes take.
var settable = []string{AttrDelaySeconds, AttrMaximumMessageSize, AttrMessageRetentionPeriod, AttrPolicy,
	AttrReceiveMessageWaitTimeSeconds, AttrVisibilityTimeout, AttrRedrivePolicy, AttrRedriveAllowPolicy,
	AttrKmsMasterKeyID, AttrKmsDataKeyReusePeriodSeconds, AttrSqsManagedSseEnabled, AttrFifoQueue,
	AttrContentBasedDeduplication, AttrDeduplicationScope, AttrFifoThroughputLimit}

func isSettable(name string) bool {
	for _, s := range settable {
		if s == name {
			return true
		}
	}
	return false
}

// RedrivePolicy is a queue's RedrivePolicy attribute.
type RedrivePolicy struct {
	DeadLetterTargetArn string `json:"deadLetterTargetArn"`
	MaxReceiveCount     int64  `json:"maxReceiveCount"`
}

// redriveJSON accepts maxReceiveCount as a number or a string (both are
// in use: the console writes a number, CloudFormation templates often a
// string).
type redriveJSON struct {
	DeadLetterTargetArn string          `json:"deadLetterTargetArn"`
	MaxReceiveCount     json.RawMessage `json:"maxReceiveCount"`
}

// ParseRedrivePolicy validates a RedrivePolicy value.
func ParseRedrivePolicy(v string) (RedrivePolicy, error) {
	var r redriveJSON
	if err := json.Unmarshal([]byte(v), &r); err != nil {
		return RedrivePolicy{}, fmt.Errorf("%w: RedrivePolicy: not a JSON object: %v", ErrAttributeValue, err)
	}
	if r.DeadLetterTargetArn == "" {
		return RedrivePolicy{}, fmt.Errorf("%w: RedrivePolicy: deadLetterTargetArn is required", ErrAttributeValue)
	}
	if _, _, err := parseQueueARN(r.DeadLetterTargetArn); err != nil {
		return RedrivePolicy{}, fmt.Errorf("%w: RedrivePolicy: deadLetterTargetArn: %v", ErrAttributeValue, err)
	}
	raw := strings.Trim(string(r.MaxReceiveCount), `"`)
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 1 || n > 1000 {
		return RedrivePolicy{}, fmt.Errorf("%w: RedrivePolicy: maxReceiveCount must be an integer from 1 to 1000, got %s", ErrAttributeValue, string(r.MaxReceiveCount))
	}
	return RedrivePolicy{DeadLetterTargetArn: r.DeadLetterTargetArn, MaxReceiveCount: n}, nil
}

var queueARNRE = regexp.MustCompile(`^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,75}\.fifo|[A-Za-z0-9_-]{1,80})$`)

// parseQueueARN reads an SQS queue ARN: account and name.
func parseQueueARN(arn string) (account, name string, err error) {
	m := queueARNRE.FindStringSubmatch(arn)
	if m == nil {
		return "", "", fmt.Errorf("not an SQS queue ARN: %q", arn)
	}
	return m[2], m[3], nil
}

// ValidateAttributes checks attributes a caller sets: known names, values
// in range, JSON documents that parse. It returns them normalized.
func ValidateAttributes(attrs map[string]string) (map[string]string, error) {
	out := make(map[string]string, len(attrs))
	for name, v := range attrs {
		if !isSettable(name) {
			return nil, fmt.Errorf("%w: Unknown Attribute %s.", ErrAttributeName, name)
		}
		if r, ok := intAttrs[name]; ok {
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil || n < r.min || n > r.max {
				return nil, fmt.Errorf("%w: Invalid value for the parameter %s: must be an integer from %d to %d, got %q", ErrAttributeValue, name, r.min, r.max, v)
			}
			out[name] = strconv.FormatInt(n, 10)
			continue
		}
		switch name {
		case AttrPolicy:
			if v != "" && !json.Valid([]byte(v)) {
				return nil, fmt.Errorf("%w: Invalid value for the parameter %s: not a JSON document", ErrAttributeValue, name)
			}
		case AttrRedriveAllowPolicy:
			if v != "" {
				var p struct {
					RedrivePermission string   `json:"redrivePermission"`
					SourceQueueArns   []string `json:"sourceQueueArns"`
				}
				if err := json.Unmarshal([]byte(v), &p); err != nil {
					return nil, fmt.Errorf("%w: Invalid value for the parameter RedriveAllowPolicy: %v", ErrAttributeValue, err)
				}
				switch {
				case p.RedrivePermission != "allowAll" && p.RedrivePermission != "denyAll" && p.RedrivePermission != "byQueue":
					return nil, fmt.Errorf("%w: Invalid value for the parameter RedriveAllowPolicy: redrivePermission must be allowAll, denyAll or byQueue", ErrAttributeValue)
				case p.RedrivePermission == "byQueue" && (len(p.SourceQueueArns) == 0 || len(p.SourceQueueArns) > 10):
					return nil, fmt.Errorf("%w: Invalid value for the parameter RedriveAllowPolicy: byQueue needs 1 to 10 sourceQueueArns", ErrAttributeValue)
				case p.RedrivePermission != "byQueue" && len(p.SourceQueueArns) > 0:
					return nil, fmt.Errorf("%w: Invalid value for the parameter RedriveAllowPolicy: sourceQueueArns only with byQueue", ErrAttributeValue)
				}
			}
		case AttrRedrivePolicy:
			if v != "" {
				if _, err := ParseRedrivePolicy(v); err != nil {
					return nil, err
				}
			}
		case AttrSqsManagedSseEnabled, AttrContentBasedDeduplication:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("%w: Invalid value for the parameter %s: must be true or false, got %q", ErrAttributeValue, name, v)
			}
			v = strconv.FormatBool(b)
		case AttrFifoQueue:
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("%w: Invalid value for the parameter FifoQueue: must be true or false, got %q", ErrAttributeValue, v)
			}
			v = strconv.FormatBool(b)
		case AttrDeduplicationScope:
			if v != "messageGroup" && v != "queue" {
				return nil, fmt.Errorf("%w: Invalid value for the parameter DeduplicationScope: messageGroup or queue, got %q", ErrAttributeValue, v)
			}
		case AttrFifoThroughputLimit:
			if v != "perQueue" && v != "perMessageGroupId" {
				return nil, fmt.Errorf("%w: Invalid value for the parameter FifoThroughputLimit: perQueue or perMessageGroupId, got %q", ErrAttributeValue, v)
			}
		}
		out[name] = v
	}
	return out, nil
}
