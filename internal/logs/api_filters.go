package logs

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// This file holds the metric and subscription filter operations. Metric
// filters are stored (nubo has no CloudWatch metrics to put values in);
// subscription filters deliver matching events to a function
// (subscriptions.go).

type (
	putMetricFilterInput struct {
		LogGroupName           string                 `json:"logGroupName"`
		FilterName             string                 `json:"filterName"`
		FilterPattern          *string                `json:"filterPattern"`
		MetricTransformations  []MetricTransformation `json:"metricTransformations"`
		ApplyOnTransformedLogs bool                   `json:"applyOnTransformedLogs"`
	}
	describeMetricFiltersInput struct {
		LogGroupName     string `json:"logGroupName"`
		FilterNamePrefix string `json:"filterNamePrefix"`
		MetricName       string `json:"metricName"`
		MetricNamespace  string `json:"metricNamespace"`
		NextToken        string `json:"nextToken"`
		Limit            int    `json:"limit"`
	}
	describeMetricFiltersOutput struct {
		MetricFilters []*MetricFilter `json:"metricFilters"`
		NextToken     string          `json:"nextToken,omitempty"`
	}
	deleteFilterInput struct {
		LogGroupName string `json:"logGroupName"`
		FilterName   string `json:"filterName"`
	}
	putSubscriptionFilterInput struct {
		LogGroupName   string  `json:"logGroupName"`
		FilterName     string  `json:"filterName"`
		FilterPattern  *string `json:"filterPattern"`
		DestinationArn string  `json:"destinationArn"`
		RoleArn        string  `json:"roleArn"`
		Distribution   string  `json:"distribution"`
	}
	describeSubscriptionFiltersInput struct {
		LogGroupName     string `json:"logGroupName"`
		FilterNamePrefix string `json:"filterNamePrefix"`
		NextToken        string `json:"nextToken"`
		Limit            int    `json:"limit"`
	}
	describeSubscriptionFiltersOutput struct {
		SubscriptionFilters []*SubscriptionFilter `json:"subscriptionFilters"`
		NextToken           string                `json:"nextToken,omitempty"`
	}
)

// filterTarget is what a filter operation on a group is authorized on, as
// AWS names it: log-group:NAME:log-stream:.
func (a *api) filterTarget(group string) []awsapi.Target {
	if group == "" {
		return []awsapi.Target{{Resource: "*"}}
	}
	return []awsapi.Target{{Resource: a.groupARN(group) + ":log-stream:"}}
}

func limitExceeded() error {
	return awsapi.NewError(http.StatusBadRequest, "LimitExceededException", "Resource limit exceeded.")
}

func checkFilterName(name string) error {
	if !validStreamName(name) { // the same constraint: 1 to 512, no ':' or '*'
		return invalidParameter("1 validation error detected: Value '" + name + "' at 'filterName' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*]* and have length between 1 and 512")
	}
	return nil
}

func checkTransformations(ts []MetricTransformation) error {
	if len(ts) != 1 {
		return invalidParameter("1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1 and greater than or equal to 1")
	}
	t := ts[0]
	for field, v := range map[string]string{"metricName": t.MetricName, "metricNamespace": t.MetricNamespace} {
		if v == "" || len(v) > 255 || strings.ContainsAny(v, ":*$") {
			return invalidParameter(fmt.Sprintf("1 validation error detected: Value '%s' at 'metricTransformations.1.member.%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [^:*$]* and have length between 1 and 255", v, field))
		}
	}
	if t.MetricValue == "" || len(t.MetricValue) > 100 {
		return invalidParameter("1 validation error detected: Value at 'metricTransformations.1.member.metricValue' failed to satisfy constraint: Member must have length between 1 and 100")
	}
	if len(t.Dimensions) > 3 {
		return invalidParameter("A metric filter can have at most 3 dimensions")
	}
	if len(t.Dimensions) > 0 && t.DefaultValue != nil {
		return invalidParameter("You can't specify both a default value and dimensions for a metric filter")
	}
	return nil
}

func (a *api) putMetricFilter(c *awsapi.Call, in *putMetricFilterInput) (awsapi.None, error) {
	if err := checkFilterName(in.FilterName); err != nil {
		return awsapi.None{}, err
	}
	if in.FilterPattern == nil {
		return awsapi.None{}, invalidParameter("1 validation error detected: Value null at 'filterPattern' failed to satisfy constraint: Member must not be null")
	}
	if err := checkFilterPattern(*in.FilterPattern); err != nil {
		return awsapi.None{}, err
	}
	if err := checkTransformations(in.MetricTransformations); err != nil {
		return awsapi.None{}, err
	}
	if err := a.requireGroup(c, in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	err := a.store.PutMetricFilter(c.Context(), MetricFilter{Group: in.LogGroupName, Name: in.FilterName, Pattern: *in.FilterPattern,
		Transformations: in.MetricTransformations, Created: nowMillis(), ApplyOnTransformedLog: in.ApplyOnTransformedLogs})
	if errors.Is(err, ErrFilterLimit) {
		return awsapi.None{}, limitExceeded()
	}
	return awsapi.None{}, err
}

func (a *api) describeMetricFilters(c *awsapi.Call, in *describeMetricFiltersInput) (describeMetricFiltersOutput, error) {
	if err := checkLimit(in.Limit, 50); err != nil {
		return describeMetricFiltersOutput{}, err
	}
	if in.FilterNamePrefix != "" && in.LogGroupName == "" {
		return describeMetricFiltersOutput{}, invalidParameter("If you specify filterNamePrefix, you must also specify logGroupName")
	}
	if (in.MetricName == "") != (in.MetricNamespace == "") {
		return describeMetricFiltersOutput{}, invalidParameter("If you specify metricName, you must also specify metricNamespace, and the other way round")
	}
	if in.LogGroupName != "" {
		if err := a.requireGroup(c, in.LogGroupName); err != nil {
			return describeMetricFiltersOutput{}, err
		}
	}
	all, err := a.store.MetricFilters(c.Context(), in.LogGroupName)
	if err != nil {
		return describeMetricFiltersOutput{}, err
	}
	kept := []*MetricFilter{}
	for _, f := range all {
		if !strings.HasPrefix(f.Name, in.FilterNamePrefix) {
			continue
		}
		if in.MetricName != "" && (f.Transformations[0].MetricName != in.MetricName || f.Transformations[0].MetricNamespace != in.MetricNamespace) {
			continue
		}
		kept = append(kept, f)
	}
	page, next, err := awsapi.Page(kept, in.NextToken, in.Limit, 50)
	if err != nil {
		return describeMetricFiltersOutput{}, invalidParameter("The specified nextToken is invalid.")
	}
	return describeMetricFiltersOutput{MetricFilters: page, NextToken: next}, nil
}

func (a *api) deleteMetricFilter(c *awsapi.Call, in *deleteFilterInput) (awsapi.None, error) {
	if err := a.requireGroup(c, in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	err := a.store.DeleteMetricFilter(c.Context(), in.LogGroupName, in.FilterName)
	if errors.Is(err, ErrFilterNotFound) {
		return awsapi.None{}, awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "The specified metric filter does not exist.")
	}
	return awsapi.None{}, err
}

func (a *api) putSubscriptionFilter(c *awsapi.Call, in *putSubscriptionFilterInput) (awsapi.None, error) {
	if err := checkFilterName(in.FilterName); err != nil {
		return awsapi.None{}, err
	}
	if in.FilterPattern == nil {
		return awsapi.None{}, invalidParameter("1 validation error detected: Value null at 'filterPattern' failed to satisfy constraint: Member must not be null")
	}
	if err := checkFilterPattern(*in.FilterPattern); err != nil {
		return awsapi.None{}, err
	}
	switch in.Distribution {
	case "", "Random", "ByLogStream":
	default:
		return awsapi.None{}, invalidParameter("1 validation error detected: Value '" + in.Distribution + "' at 'distribution' failed to satisfy constraint: Member must satisfy enum value set: [Random, ByLogStream]")
	}
	if err := a.requireGroup(c, in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	if _, ok := LambdaName(in.DestinationArn); !ok || a.fns == nil {
		return awsapi.None{}, invalidParameter("Could not deliver test message to specified destination: nubo delivers subscription filters to Lambda functions only, and " + in.DestinationArn + " is not a function's ARN.")
	}
	if err := a.fns.FunctionExists(c.Context(), in.DestinationArn); err != nil {
		if errors.Is(err, ErrFunctionNotFound) {
			return awsapi.None{}, invalidParameter("Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function.")
		}
		return awsapi.None{}, err
	}
	if in.Distribution == "" {
		in.Distribution = "ByLogStream"
	}
	err := a.store.PutSubscriptionFilter(c.Context(), SubscriptionFilter{Group: in.LogGroupName, Name: in.FilterName, Pattern: *in.FilterPattern,
		Destination: in.DestinationArn, RoleARN: in.RoleArn, Distribution: in.Distribution, Created: nowMillis()})
	if errors.Is(err, ErrFilterLimit) {
		return awsapi.None{}, limitExceeded()
	}
	return awsapi.None{}, err
}

func (a *api) describeSubscriptionFilters(c *awsapi.Call, in *describeSubscriptionFiltersInput) (describeSubscriptionFiltersOutput, error) {
	if err := checkLimit(in.Limit, 50); err != nil {
		return describeSubscriptionFiltersOutput{}, err
	}
	if err := a.requireGroup(c, in.LogGroupName); err != nil {
		return describeSubscriptionFiltersOutput{}, err
	}
	all, err := a.store.SubscriptionFilters(c.Context(), in.LogGroupName)
	if err != nil {
		return describeSubscriptionFiltersOutput{}, err
	}
	kept := []*SubscriptionFilter{}
	for _, f := range all {
		if strings.HasPrefix(f.Name, in.FilterNamePrefix) {
			kept = append(kept, f)
		}
	}
	page, next, err := awsapi.Page(kept, in.NextToken, in.Limit, 50)
	if err != nil {
		return describeSubscriptionFiltersOutput{}, invalidParameter("The specified nextToken is invalid.")
	}
	return describeSubscriptionFiltersOutput{SubscriptionFilters: page, NextToken: next}, nil
}

func (a *api) deleteSubscriptionFilter(c *awsapi.Call, in *deleteFilterInput) (awsapi.None, error) {
	if err := a.requireGroup(c, in.LogGroupName); err != nil {
		return awsapi.None{}, err
	}
	err := a.store.DeleteSubscriptionFilter(c.Context(), in.LogGroupName, in.FilterName)
	if errors.Is(err, ErrFilterNotFound) {
		return awsapi.None{}, awsapi.NewError(http.StatusBadRequest, "ResourceNotFoundException", "The specified subscription filter does not exist.")
	}
	return awsapi.None{}, err
}

func (a *api) filterOps() []awsapi.Declared {
	return []awsapi.Declared{
		awsapi.Op[putMetricFilterInput, awsapi.None]{Name: "PutMetricFilter", Action: "logs:PutMetricFilter",
			Resources: func(c *awsapi.Call, in *putMetricFilterInput) ([]awsapi.Target, error) {
				return a.filterTarget(in.LogGroupName), nil
			},
			Handler: a.putMetricFilter},
		awsapi.Op[describeMetricFiltersInput, describeMetricFiltersOutput]{Name: "DescribeMetricFilters", Action: "logs:DescribeMetricFilters",
			Resources: func(c *awsapi.Call, in *describeMetricFiltersInput) ([]awsapi.Target, error) {
				return a.filterTarget(in.LogGroupName), nil
			},
			Handler: a.describeMetricFilters},
		awsapi.Op[deleteFilterInput, awsapi.None]{Name: "DeleteMetricFilter", Action: "logs:DeleteMetricFilter",
			Resources: func(c *awsapi.Call, in *deleteFilterInput) ([]awsapi.Target, error) {
				return a.filterTarget(in.LogGroupName), nil
			},
			Handler: a.deleteMetricFilter},
		awsapi.Op[putSubscriptionFilterInput, awsapi.None]{Name: "PutSubscriptionFilter", Action: "logs:PutSubscriptionFilter",
			Resources: func(c *awsapi.Call, in *putSubscriptionFilterInput) ([]awsapi.Target, error) {
				return a.filterTarget(in.LogGroupName), nil
			},
			Handler: a.putSubscriptionFilter},
		awsapi.Op[describeSubscriptionFiltersInput, describeSubscriptionFiltersOutput]{Name: "DescribeSubscriptionFilters", Action: "logs:DescribeSubscriptionFilters",
			Resources: func(c *awsapi.Call, in *describeSubscriptionFiltersInput) ([]awsapi.Target, error) {
				return a.filterTarget(in.LogGroupName), nil
			},
			Handler: a.describeSubscriptionFilters},
		awsapi.Op[deleteFilterInput, awsapi.None]{Name: "DeleteSubscriptionFilter", Action: "logs:DeleteSubscriptionFilter",
			Resources: func(c *awsapi.Call, in *deleteFilterInput) ([]awsapi.Target, error) {
				return a.filterTarget(in.LogGroupName), nil
			},
			Handler: a.deleteSubscriptionFilter},
	}
}
