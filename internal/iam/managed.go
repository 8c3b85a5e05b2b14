package iam

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/nubo-run/nubo/internal/iam/policy"
)

// The AWS managed policies templates use most, with the statements of their
// current default version. They are attachable by ARN
// (arn:aws:iam::aws:policy/PATH/NAME) and by name through ManagedPolicyARN.

// stmt is one statement of a built-in policy.
type stmt struct {
	sid      string
	actions  []string
	resource []string
	cond     map[string]map[string][]string
}

func all(actions ...string) stmt { return stmt{actions: actions, resource: []string{"*"}} }

func (s stmt) on(resources ...string) stmt { s.resource = resources; return s }
func (s stmt) id(sid string) stmt          { s.sid = sid; return s }
func (s stmt) when(op, key string, values ...string) stmt {
	if s.cond == nil {
		s.cond = map[string]map[string][]string{}
	}
	if s.cond[op] == nil {
		s.cond[op] = map[string][]string{}
	}
	s.cond[op][key] = values
	return s
}

type builtin struct {
	path, name, version string
	stmts               []stmt
}

func builtinPolicies() []builtin {
	logs := []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"}
	xrayWrite := []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"}
	return []builtin{
		{"/service-role/", "AWSLambdaBasicExecutionRole", "v1", []stmt{all(logs...)}},
		// SAM attaches it instead of the basic role to functions with DurableConfig.
		{"/service-role/", "AWSLambdaBasicDurableExecutionRolePolicy", "v3", []stmt{all(append(logs, "lambda:CheckpointDurableExecution", "lambda:GetDurableExecutionState")...)}},
		// SAM attaches it to functions with Tracing: Active.
		{"/", "AWSXrayWriteOnlyAccess", "v2", []stmt{all(xrayWrite...)}},
		{"/", "AWSXRayDaemonWriteAccess", "v2", []stmt{all(xrayWrite...).id("AWSXRayDaemonWriteAccess")}},
		{"/service-role/", "AWSLambdaSQSQueueExecutionRole", "v1", []stmt{all(append([]string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"}, logs...)...)}},
		{"/service-role/", "AWSLambdaDynamoDBExecutionRole", "v1", []stmt{all(append([]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"}, logs...)...)}},
		{"/service-role/", "AWSLambdaKinesisExecutionRole", "v2", []stmt{all(append([]string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard"}, logs...)...)}},
		{"/service-role/", "AWSLambdaVPCAccessExecutionRole", "v3", []stmt{all(append(logs, "ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses")...).id("AWSLambdaVPCAccessExecutionPermissions")}},
		{"/service-role/", "AWSLambdaRole", "v1", []stmt{all("lambda:InvokeFunction")}},
		{"/", "AWSLambdaExecute", "v1", []stmt{all("logs:*").on("arn:aws:logs:*:*:*"), all("s3:GetObject", "s3:PutObject").on("arn:aws:s3:::*")}},
		{"/", "AWSLambda_FullAccess", "v7", []stmt{
			all("cloudformation:DescribeStacks", "cloudformation:ListStackResources", "cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
				"ec2:DescribeSecurityGroups", "ec2:DescribeSubnets", "ec2:DescribeVpcs", "kms:DescribeKey", "kms:ListAliases",
				"iam:GetPolicy", "iam:GetPolicyVersion", "iam:GetRole", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:ListRolePolicies", "iam:ListRoles",
				"lambda:*", "logs:DescribeLogGroups", "states:DescribeStateMachine", "states:ListStateMachines", "tag:GetResources",
				"xray:GetTraceSummaries", "xray:BatchGetTraces"),
			all("iam:PassRole").when("StringEquals", "iam:PassedToService", "lambda.amazonaws.com"),
			all("logs:DescribeLogStreams", "logs:GetLogEvents", "logs:FilterLogEvents", "logs:StartLiveTail", "logs:StopLiveTail").on("arn:aws:logs:*:*:log-group:/aws/lambda/*"),
			all("iam:CreateServiceLinkedRole").on("arn:aws:iam::*:role/aws-service-role/lambda.amazonaws.com/AWSServiceRoleForLambda").when("StringEquals", "iam:AWSServiceName", "lambda.amazonaws.com"),
		}},
		{"/", "AWSXRayDaemonWriteAccess", "v2", []stmt{all("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries").id("AWSXRayDaemonWriteAccess")}},
		{"/", "CloudWatchLambdaInsightsExecutionRolePolicy", "v1", []stmt{all("logs:CreateLogGroup"), all("logs:CreateLogStream", "logs:PutLogEvents").on("arn:aws:logs:*:*:log-group:/aws/lambda-insights:*")}},
		{"/", "AdministratorAccess", "v1", []stmt{all("*")}},
		{"/", "AmazonS3ReadOnlyAccess", "v3", []stmt{all("s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*")}},
		{"/", "AmazonS3FullAccess", "v2", []stmt{all("s3:*", "s3-object-lambda:*")}},
		{"/", "AmazonDynamoDBFullAccess", "v15", []stmt{
			all("dynamodb:*", "dax:*",
				"application-autoscaling:DeleteScalingPolicy", "application-autoscaling:DeregisterScalableTarget", "application-autoscaling:DescribeScalableTargets",
				"application-autoscaling:DescribeScalingActivities", "application-autoscaling:DescribeScalingPolicies", "application-autoscaling:PutScalingPolicy",
				"application-autoscaling:RegisterScalableTarget",
				"cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric",
				"cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics", "cloudwatch:PutMetricAlarm", "cloudwatch:GetMetricData",
				"datapipeline:ActivatePipeline", "datapipeline:CreatePipeline", "datapipeline:DeletePipeline", "datapipeline:DescribeObjects",
				"datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines", "datapipeline:PutPipelineDefinition",
				"datapipeline:QueryObjects",
				"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
				"sns:CreateTopic", "sns:DeleteTopic", "sns:ListSubscriptions", "sns:ListSubscriptionsByTopic", "sns:ListTopics", "sns:Subscribe",
				"sns:Unsubscribe", "sns:SetTopicAttributes",
				"lambda:CreateFunction", "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:CreateEventSourceMapping",
				"lambda:DeleteEventSourceMapping", "lambda:GetFunctionConfiguration", "lambda:DeleteFunction",
				"resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
				"resource-groups:DeleteGroup", "resource-groups:CreateGroup", "tag:GetResources",
				"kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary"),
			all("cloudwatch:GetInsightRuleReport").on("arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*"),
			all("iam:PassRole").when("StringLike", "iam:PassedToService", "application-autoscaling.amazonaws.com", "application-autoscaling.amazonaws.com.cn", "dax.amazonaws.com"),
			all("iam:CreateServiceLinkedRole").when("StringEquals", "iam:AWSServiceName", "replication.dynamodb.amazonaws.com", "dax.amazonaws.com",
				"dynamodb.application-autoscaling.amazonaws.com", "contributorinsights.dynamodb.amazonaws.com", "kinesisreplication.dynamodb.amazonaws.com"),
		}},
		{"/", "AmazonDynamoDBReadOnlyAccess", "v15", []stmt{
			all("application-autoscaling:DescribeScalableTargets", "application-autoscaling:DescribeScalingActivities", "application-autoscaling:DescribeScalingPolicies",
				"cloudwatch:DescribeAlarmHistory", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:GetMetricStatistics",
				"cloudwatch:ListMetrics", "cloudwatch:GetMetricData",
				"datapipeline:DescribeObjects", "datapipeline:DescribePipelines", "datapipeline:GetPipelineDefinition", "datapipeline:ListPipelines", "datapipeline:QueryObjects",
				"dynamodb:BatchGetItem", "dynamodb:Describe*", "dynamodb:List*", "dynamodb:GetAbacStatus", "dynamodb:GetItem", "dynamodb:GetResourcePolicy",
				"dynamodb:Query", "dynamodb:Scan", "dynamodb:PartiQLSelect",
				"dax:Describe*", "dax:List*", "dax:GetItem", "dax:BatchGetItem", "dax:Query", "dax:Scan",
				"ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "iam:GetRole", "iam:ListRoles", "kms:DescribeKey", "kms:ListAliases",
				"sns:ListSubscriptionsByTopic", "sns:ListTopics", "lambda:ListFunctions", "lambda:ListEventSourceMappings", "lambda:GetFunctionConfiguration",
				"resource-groups:ListGroups", "resource-groups:ListGroupResources", "resource-groups:GetGroup", "resource-groups:GetGroupQuery",
				"tag:GetResources", "kinesis:ListStreams", "kinesis:DescribeStream", "kinesis:DescribeStreamSummary").id("GeneralReadOnlyAccess"),
			all("cloudwatch:GetInsightRuleReport").on("arn:aws:cloudwatch:*:*:insight-rule/DynamoDBContributorInsights*").id("CCIAccess"),
		}},
		{"/", "AmazonSQSFullAccess", "v1", []stmt{all("sqs:*")}},
		{"/", "AmazonSQSReadOnlyAccess", "v4", []stmt{all("sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:ListDeadLetterSourceQueues", "sqs:ListQueues", "sqs:ListMessageMoveTasks", "sqs:ListQueueTags").id("AmazonSQSReadOnlyAccess")}},
		{"/", "AmazonSNSFullAccess", "v2", []stmt{
			all("sns:*").id("SNSFullAccess"),
			all("sms-voice:DescribeVerifiedDestinationNumbers", "sms-voice:CreateVerifiedDestinationNumber", "sms-voice:SendDestinationNumberVerificationCode",
				"sms-voice:SendTextMessage", "sms-voice:DeleteVerifiedDestinationNumber", "sms-voice:VerifyDestinationNumber", "sms-voice:DescribeAccountAttributes",
				"sms-voice:DescribeSpendLimits", "sms-voice:DescribePhoneNumbers", "sms-voice:SetTextMessageSpendLimitOverride", "sms-voice:DescribeOptedOutNumbers",
				"sms-voice:DeleteOptedOutNumber").id("SMSAccessViaSNS").when("StringEquals", "aws:CalledViaLast", "sns.amazonaws.com"),
		}},
		{"/", "AmazonSNSReadOnlyAccess", "v2", []stmt{
			all("sns:GetTopicAttributes", "sns:List*", "sns:CheckIfPhoneNumberIsOptedOut", "sns:GetEndpointAttributes", "sns:GetDataProtectionPolicy",
				"sns:GetPlatformApplicationAttributes", "sns:GetSMSAttributes", "sns:GetSMSSandboxAccountStatus", "sns:GetSubscriptionAttributes").id("SNSReadOnlyAccess"),
			all("sms-voice:DescribeVerifiedDestinationNumbers", "sms-voice:DescribeAccountAttributes", "sms-voice:DescribeSpendLimits",
				"sms-voice:DescribePhoneNumbers", "sms-voice:DescribeOptedOutNumbers").id("SMSAccessViaSNS").when("StringEquals", "aws:CalledViaLast", "sns.amazonaws.com"),
		}},
		{"/", "AWSStepFunctionsFullAccess", "v1", []stmt{all("states:*")}},
		{"/", "AWSStepFunctionsReadOnlyAccess", "v4", []stmt{all("states:ListStateMachines", "states:ListActivities", "states:DescribeStateMachine",
			"states:DescribeStateMachineForExecution", "states:ListExecutions", "states:DescribeExecution", "states:GetExecutionHistory", "states:DescribeActivity",
			"states:ListTagsForResource", "states:DescribeMapRun", "states:ListMapRuns", "states:DescribeStateMachineAlias", "states:ListStateMachineAliases",
			"states:ListStateMachineVersions", "states:ValidateStateMachineDefinition").id("ReadOnlyAccess")}},
		{"/", "AmazonEventBridgeFullAccess", "v7", []stmt{
			all("events:*", "schemas:*", "scheduler:*", "pipes:*").id("EventBridgeActions"),
			all("iam:CreateServiceLinkedRole").on("arn:aws:iam::*:role/aws-service-role/apidestinations.events.amazonaws.com/AWSServiceRoleForAmazonEventBridgeApiDestinations").
				when("StringEquals", "iam:AWSServiceName", "apidestinations.events.amazonaws.com").id("IAMCreateServiceLinkedRoleForApiDestinations"),
			all("iam:CreateServiceLinkedRole").on("arn:aws:iam::*:role/aws-service-role/schemas.amazonaws.com/AWSServiceRoleForSchemas").
				when("StringEquals", "iam:AWSServiceName", "schemas.amazonaws.com").id("IAMCreateServiceLinkedRoleForAmazonEventBridgeSchemas"),
			all("secretsmanager:CreateSecret", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue").
				on("arn:aws:secretsmanager:*:*:secret:events!*").id("SecretsManagerAccessForApiDestinations"),
			all("iam:PassRole").on("arn:aws:iam::*:role/*").when("StringLike", "iam:PassedToService", "events.amazonaws.com").id("IAMPassRoleAccessForEventBridge"),
			all("iam:PassRole").on("arn:aws:iam::*:role/*").when("StringLike", "iam:PassedToService", "scheduler.amazonaws.com").id("IAMPassRoleAccessForScheduler"),
			all("iam:PassRole").on("arn:aws:iam::*:role/*").when("StringLike", "iam:PassedToService", "pipes.amazonaws.com").id("IAMPassRoleAccessForPipes"),
		}},
		{"/", "CloudWatchLogsFullAccess", "v8", []stmt{all("logs:*", "cloudwatch:GenerateQuery", "cloudwatch:GenerateQueryResultsSummary",
			"observabilityadmin:GetS3TableIntegration", "observabilityadmin:ListS3TableIntegrations", "observabilityadmin:ListTelemetryPipelines").id("CloudWatchLogsFullAccess")}},
		{"/", "CloudWatchLogsReadOnlyAccess", "v12", []stmt{all("logs:Describe*", "logs:Get*", "logs:List*", "logs:StartQuery", "logs:StopQuery", "logs:TestMetricFilter",
			"logs:FilterLogEvents", "logs:StartLiveTail", "logs:StopLiveTail", "cloudwatch:GenerateQuery", "cloudwatch:GenerateQueryResultsSummary",
			"observabilityadmin:ListS3TableIntegrations", "observabilityadmin:GetS3TableIntegration", "observabilityadmin:ListTelemetryPipelines").id("CloudWatchLogsReadOnlyAccess")}},
		{"/", "AmazonSSMReadOnlyAccess", "v1", []stmt{all("ssm:Describe*", "ssm:Get*", "ssm:List*")}},
		{"/", "AmazonKinesisFullAccess", "v1", []stmt{all("kinesis:*")}},
		{"/", "AmazonAPIGatewayInvokeFullAccess", "v2", []stmt{all("execute-api:Invoke", "execute-api:ManageConnections").on("arn:aws:execute-api:*:*:*")}},
	}
}

// document renders statements as a 2012-10-17 policy document.
func document(stmts []stmt) string {
	p := policy.Policy{Version: policy.Version2012}
	for _, s := range stmts {
		p.Statements = append(p.Statements, policy.Statement{Sid: s.sid, Effect: policy.Allow, Action: s.actions, Resource: s.resource, Condition: s.cond})
	}
	b, _ := json.Marshal(&p)
	return string(b)
}

// awsManagedPolicies builds the built-in policies, keyed by ARN.
func awsManagedPolicies() (map[string]*ManagedPolicy, error) {
	created := time.Date(2015, 2, 6, 18, 40, 0, 0, time.UTC)
	out := map[string]*ManagedPolicy{}
	for _, b := range builtinPolicies() {
		doc := document(b.stmts)
		if _, err := CheckPolicy(doc, policy.Identity); err != nil {
			return nil, fmt.Errorf("%s: %w", b.name, err)
		}
		arn := "arn:aws:iam::aws:policy" + b.path + b.name
		out[arn] = &ManagedPolicy{
			Name: b.name, Path: b.path, ID: "ANPA" + strings.ToUpper(fmt.Sprintf("%017x", len(out)+1))[:17], ARN: arn,
			Created: created, Updated: created, DefaultVersion: b.version, AWSManaged: true,
			Versions: []PolicyVersion{{ID: b.version, Document: doc, Created: created}},
		}
	}
	return out, nil
}

// ManagedPolicyARN resolves the name of a built-in AWS managed policy
// ("AWSLambdaBasicExecutionRole") to its ARN, path included
// (arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole), as a
// SAM function's Policies by name need.
func ManagedPolicyARN(name string) (string, bool) {
	for _, b := range builtinPolicies() {
		if b.name == name {
			return "arn:aws:iam::aws:policy" + b.path + b.name, true
		}
	}
	return "", false
}

// ManagedPolicyARN is the package function, for callers holding a Store.
func (s *Store) ManagedPolicyARN(name string) (string, bool) { return ManagedPolicyARN(name) }
