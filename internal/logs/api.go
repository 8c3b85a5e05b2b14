package logs

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// APIOptions wires the CloudWatch Logs API.
type APIOptions struct {
	// Store holds the lines and the groups' settings.
	Store *Store
	// Sources names the log groups written to and where their lines are.
	Sources Sources
	// Functions runs subscription filters' destinations (nil: subscription
	// filters are refused).
	Functions Functions
	// Account makes log group ARNs.
	Account awsapi.Account
	// Authorizer authorizes every request; nil allows everything (--iam off).
	Authorizer awsapi.Authorizer
	Logger     *slog.Logger
}

// api serves the subset of the CloudWatch Logs API that `aws logs tail`
// and `nubo logs` use: FilterLogEvents, GetLogEvents and DescribeLogGroups
// over the groups Sources names. nubo keeps one stream per group and day,
// named as Lambda names them: YYYY/MM/DD/[$LATEST]nubo.
type api struct {
	store   *Store
	sources Sources
	fns     Functions
	account awsapi.Account
}

// maxRequestBody is the most of a request body the API reads: room for a
// PutLogEvents batch at AWS's limit (1 MiB of messages, 10,000 events)
// with its JSON around it.
const maxRequestBody = 8 << 20

// NewAPI returns the CloudWatch Logs API (JSON 1.1, X-Amz-Target
// Logs_20140328.*, signing name "logs"): each operation authorized as its
// IAM action on the log group (or stream) it reads.
func NewAPI(o APIOptions) (*awsapi.API, error) {
	a := &api{store: o.Store, sources: o.Sources, fns: o.Functions, account: o.Account}
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "logs",
		SDKID:        "cloudwatchlogs",
		Protocol:     awsapi.JSON,
		TargetPrefix: "Logs_20140328",
		Authorizer:   o.Authorizer,
		Logger:       o.Logger,
		MapError:     mapError,
		MaxBody:      maxRequestBody,
		BodyTooLarge: func(limit int64) error {
			return awsapi.Errorf(http.StatusBadRequest, "SerializationException", "the request body is larger than %d bytes", limit)
		},
		Ops: append([]awsapi.Declared{
			awsapi.Op[filterLogEventsInput, filterLogEventsOutput]{Name: "FilterLogEvents", Action: "logs:FilterLogEvents",
				Resources: func(c *awsapi.Call, in *filterLogEventsInput) ([]awsapi.Target, error) {
					// As AWS authorizes it: log-group:NAME:log-stream: (which
					// a policy's log-group:NAME:* matches, log-group:NAME not).
					return []awsapi.Target{{Resource: a.groupARN(in.group()) + ":log-stream:"}}, nil
				},
				Handler: a.filterLogEvents},
			awsapi.Op[getLogEventsInput, getLogEventsOutput]{Name: "GetLogEvents", Action: "logs:GetLogEvents",
				Resources: func(c *awsapi.Call, in *getLogEventsInput) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: a.groupARN(in.group()) + ":log-stream:" + in.LogStreamName}}, nil
				},
				Handler: a.getLogEvents},
			awsapi.Op[describeLogGroupsInput, describeLogGroupsOutput]{Name: "DescribeLogGroups", Action: "logs:DescribeLogGroups",
				Handler: a.describeLogGroups},
			awsapi.Op[createLogGroupInput, awsapi.None]{Name: "CreateLogGroup", Action: "logs:CreateLogGroup",
				Resources: func(c *awsapi.Call, in *createLogGroupInput) ([]awsapi.Target, error) {
					t := a.groupTarget(in.LogGroupName)
					t[0].RequestTags = in.Tags
					return t, nil
				},
				Handler: a.createLogGroup},
			awsapi.Op[deleteLogGroupInput, awsapi.None]{Name: "DeleteLogGroup", Action: "logs:DeleteLogGroup",
				Resources: func(c *awsapi.Call, in *deleteLogGroupInput) ([]awsapi.Target, error) {
					return a.groupTarget(in.LogGroupName), nil
				},
				Handler: a.deleteLogGroup},
			awsapi.Op[putRetentionPolicyInput, awsapi.None]{Name: "PutRetentionPolicy", Action: "logs:PutRetentionPolicy",
				Resources: func(c *awsapi.Call, in *putRetentionPolicyInput) ([]awsapi.Target, error) {
					return a.groupTarget(in.LogGroupName), nil
				},
				Handler: a.putRetentionPolicy},
			awsapi.Op[deleteRetentionPolicyInput, awsapi.None]{Name: "DeleteRetentionPolicy", Action: "logs:DeleteRetentionPolicy",
				Resources: func(c *awsapi.Call, in *deleteRetentionPolicyInput) ([]awsapi.Target, error) {
					return a.groupTarget(in.LogGroupName), nil
				},
				Handler: a.deleteRetentionPolicy},
			awsapi.Op[createLogStreamInput, awsapi.None]{Name: "CreateLogStream", Action: "logs:CreateLogStream",
				Resources: func(c *awsapi.Call, in *createLogStreamInput) ([]awsapi.Target, error) {
					return a.streamTarget(in.LogGroupName, in.LogStreamName), nil
				},
				Handler: a.createLogStream},
			awsapi.Op[putLogEventsInput, putLogEventsOutput]{Name: "PutLogEvents", Action: "logs:PutLogEvents",
				Resources: func(c *awsapi.Call, in *putLogEventsInput) ([]awsapi.Target, error) {
					return a.streamTarget(in.LogGroupName, in.LogStreamName), nil
				},
				Handler: a.putLogEvents},
			awsapi.Op[describeLogStreamsInput, describeLogStreamsOutput]{Name: "DescribeLogStreams", Action: "logs:DescribeLogStreams",
				Resources: func(c *awsapi.Call, in *describeLogStreamsInput) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: a.groupARN(in.group()) + ":log-stream:*"}}, nil
				},
				Handler: a.describeLogStreams},
		}, append(append(a.tagOps(), a.filterOps()...), a.insightsOps()...)...),
	})
}

// mapError gives the store's and the sources' sentinels their Logs codes.
func mapError(err error) error {
	if errors.Is(err, ErrGroupNotFound) {
		return groupNotFound()
	}
	if errors.Is(err, ErrStreamNotFound) {
		return streamNotFound()
	}
	return err
}

func groupNotFound() error {
	return awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "The specified log group does not exist.")
}

// groupARN is the ARN of a log group named by name or ARN
// (arn:aws:logs:REGION:ACCOUNT:log-group:NAME), as requests are authorized
// on it.
func (a *api) groupARN(group string) string {
	if strings.HasPrefix(group, "arn:") {
		return strings.TrimSuffix(group, ":*")
	}
	return a.account.ARN("logs", "log-group:"+group)
}

// source maps a log group name (or ARN) to where its lines are.
func (a *api) source(c *awsapi.Call, group string) (Source, error) {
	if strings.HasPrefix(group, "arn:") {
		arn, err := awsapi.ParseARN(group)
		if err != nil {
			return Source{}, groupNotFound()
		}
		group = strings.TrimSuffix(strings.TrimPrefix(arn.Resource, "log-group:"), ":*")
	}
	if group == "" {
		return Source{}, awsapi.InvalidParameter("logGroupName or logGroupIdentifier is required")
	}
	if a.sources != nil {
		src, err := a.sources.LogSource(c.Context(), group)
		if !errors.Is(err, ErrGroupNotFound) {
			return src, err
		}
	}
	// A group created through the API (or a stack): its lines are those
	// PutLogEvents wrote.
	g, err := a.store.Group(c.Context(), group)
	if err != nil {
		return Source{}, err
	}
	return Source{Group: g.Name, Key: UserSource(g.Name), Created: time.UnixMilli(g.Created)}, nil
}

// eventStream is the log stream an event belongs to: the stream
// PutLogEvents named for a group's own lines, else the day-stream.
func eventStream(e Event) string {
	if strings.HasPrefix(e.Source, userSourcePrefix) {
		return e.RequestID
	}
	return logStreamName(e.Time)
}

// logStreamName is the name of the day-stream holding a line written at t:
// nubo keeps one stream per group and day, named as Lambda names them.
func logStreamName(t time.Time) string {
	return t.UTC().Format("2006/01/02") + "/[$LATEST]nubo"
}

func millis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms *int64) time.Time {
	if ms == nil || *ms <= 0 {
		return time.Time{}
	}
	return time.UnixMilli(*ms)
}

func nowMillis() int64 { return time.Now().UnixMilli() }
