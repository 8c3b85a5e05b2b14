package sam

import (
	"regexp"
	"sort"
	"strings"
)

// policyTemplateNames are the SAM policy templates a Policies entry may name.
var policyTemplateNames = setOf("AMIDescribePolicy", "AWSSecretsManagerGetSecretValuePolicy",
	"AWSSecretsManagerRotationPolicy", "AcmGetCertificatePolicy", "AthenaQueryPolicy",
	"CloudFormationDescribeStacksPolicy", "CloudWatchDashboardPolicy", "CloudWatchDescribeAlarmHistoryPolicy",
	"CloudWatchPutMetricPolicy", "CodeCommitCrudPolicy", "CodeCommitReadPolicy",
	"CodePipelineLambdaExecutionPolicy", "CodePipelineReadOnlyPolicy", "ComprehendBasicAccessPolicy",
	"CostExplorerReadOnlyPolicy", "DynamoDBBackupFullAccessPolicy", "DynamoDBCrudPolicy", "DynamoDBReadPolicy",
	"DynamoDBReconfigurePolicy", "DynamoDBRestoreFromBackupPolicy", "DynamoDBStreamReadPolicy",
	"DynamoDBWritePolicy", "EC2CopyImagePolicy", "EC2DescribePolicy", "EFSWriteAccessPolicy", "EKSDescribePolicy",
	"EcsRunTaskPolicy", "ElasticMapReduceAddJobFlowStepsPolicy", "ElasticMapReduceCancelStepsPolicy",
	"ElasticMapReduceModifyInstanceFleetPolicy", "ElasticMapReduceModifyInstanceGroupsPolicy",
	"ElasticMapReduceSetTerminationProtectionPolicy", "ElasticMapReduceTerminateJobFlowsPolicy",
	"ElasticsearchHttpPostPolicy", "EventBridgePutEventsPolicy", "FilterLogEventsPolicy", "FirehoseCrudPolicy",
	"FirehoseWritePolicy", "KMSDecryptPolicy", "KMSEncryptPolicy", "KMSEncryptPolicy_v2", "KinesisCrudPolicy",
	"KinesisStreamReadPolicy", "LambdaInvokePolicy", "MobileAnalyticsWriteOnlyAccessPolicy",
	"OrganizationsListAccountsPolicy", "PinpointEndpointAccessPolicy", "PollyFullAccessPolicy",
	"RekognitionDetectOnlyPolicy", "RekognitionFacesManagementPolicy", "RekognitionFacesPolicy",
	"RekognitionLabelsPolicy", "RekognitionNoDataAccessPolicy", "RekognitionReadPolicy",
	"RekognitionWriteOnlyAccessPolicy", "Route53ChangeResourceRecordSetsPolicy", "S3CrudPolicy",
	"S3FullAccessPolicy", "S3ReadPolicy", "S3WritePolicy", "SESBulkTemplatedCrudPolicy",
	"SESBulkTemplatedCrudPolicy_v2", "SESCrudPolicy", "SESEmailTemplateCrudPolicy", "SESSendBouncePolicy",
	"SNSCrudPolicy", "SNSPublishMessagePolicy", "SQSPollerPolicy", "SQSSendMessagePolicy",
	"SSMParameterReadPolicy", "SSMParameterWithSlashPrefixReadPolicy", "SageMakerCreateEndpointConfigPolicy",
	"SageMakerCreateEndpointPolicy", "ServerlessRepoReadWriteAccessPolicy", "StepFunctionsCallbackPolicy",
	"StepFunctionsExecutionPolicy", "StepFunctionsExecutionPolicy_v2", "TextractDetectAnalyzePolicy",
	"TextractGetResultPolicy", "TextractPolicy", "VPCAccessPolicy")

// tmplStatement is one statement of a policy template: its actions and resource patterns, where
// ${param} names a template parameter (and ${AWS::...} a pseudo parameter).
type tmplStatement struct {
	actions      []string
	resources    []string
	actionString bool // a single action written as a string, not a list
	resourceList bool // resources written as a list even when there is one
}

// policyTemplates holds the statements of the templates nubo expands. The seam: a template named
// in policyTemplateNames but missing here is rejected as not supported yet.
var policyTemplates = map[string][]tmplStatement{
	"SQSPollerPolicy": {{
		actions: []string{"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
			"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"},
		resources: []string{"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"}}},
	"SQSSendMessagePolicy": {{
		actions:   []string{"sqs:SendMessage*"},
		resources: []string{"arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:${QueueName}"}}},
	"LambdaInvokePolicy": {{
		actions:   []string{"lambda:InvokeFunction"},
		resources: []string{"arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${FunctionName}*"}}},
	"SNSPublishMessagePolicy": {{
		actions:   []string{"sns:Publish"},
		resources: []string{"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}"}}},
	"SNSCrudPolicy": {{
		actions:   []string{"sns:ListSubscriptionsByTopic", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish"},
		resources: []string{"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:${TopicName}*"}}},
	"DynamoDBCrudPolicy": {{
		actions: []string{"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
			"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
			"dynamodb:ConditionCheckItem"},
		resources: []string{"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
			"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*"}}},
	"DynamoDBReadPolicy": {{
		actions: []string{"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem",
			"dynamodb:DescribeTable"},
		resources: []string{"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}",
			"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*"}}},
	"DynamoDBWritePolicy": {{
		actions:   []string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"},
		resources: []string{"arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}", "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${TableName}/index/*"}}},
	"S3ReadPolicy": {{
		actions: []string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
			"s3:GetLifecycleConfiguration"},
		resources: []string{"arn:${AWS::Partition}:s3:::${BucketName}", "arn:${AWS::Partition}:s3:::${BucketName}/*"}}},
	"S3WritePolicy": {{
		actions:   []string{"s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"},
		resources: []string{"arn:${AWS::Partition}:s3:::${BucketName}", "arn:${AWS::Partition}:s3:::${BucketName}/*"}}},
	"S3CrudPolicy": {{
		actions: []string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion",
			"s3:PutObject", "s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration",
			"s3:DeleteObject"},
		resources: []string{"arn:${AWS::Partition}:s3:::${BucketName}", "arn:${AWS::Partition}:s3:::${BucketName}/*"}}},
	"S3FullAccessPolicy": {{
		actions: []string{"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
			"s3:DeleteObject", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectTagging",
			"s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"},
		resources: []string{"arn:${AWS::Partition}:s3:::${BucketName}/*"}, resourceList: true}, {
		actions:   []string{"s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"},
		resources: []string{"arn:${AWS::Partition}:s3:::${BucketName}"}, resourceList: true}},
	"StepFunctionsExecutionPolicy": {{
		actions:   []string{"states:StartExecution"},
		resources: []string{"arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${StateMachineName}"}}},
	"EventBridgePutEventsPolicy": {{
		actions: []string{"events:PutEvents"}, actionString: true,
		resources: []string{"arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:event-bus/${EventBusName}"}}},
	"KinesisStreamReadPolicy": {{
		actions:   []string{"kinesis:ListStreams", "kinesis:DescribeLimits"},
		resources: []string{"arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/*"}}, {
		actions:   []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator"},
		resources: []string{"arn:${AWS::Partition}:kinesis:${AWS::Region}:${AWS::AccountId}:stream/${StreamName}"}}},
	"SSMParameterReadPolicy": {{
		actions:   []string{"ssm:DescribeParameters"},
		resources: []string{"*"}}, {
		actions:   []string{"ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"},
		resources: []string{"arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/${ParameterName}"}}},
	"AWSSecretsManagerGetSecretValuePolicy": {{
		actions:   []string{"secretsmanager:GetSecretValue"},
		resources: []string{"${SecretArn}"}}},
	"KMSDecryptPolicy": {{
		actions: []string{"kms:Decrypt"}, actionString: true,
		resources: []string{"arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"}}},
	"KMSEncryptPolicy": {{
		actions: []string{"kms:Encrypt"}, actionString: true,
		resources: []string{"arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:key/${KeyId}"}}},
	"CloudWatchPutMetricPolicy": {{
		actions:   []string{"cloudwatch:PutMetricData"},
		resources: []string{"*"}}},
	"VPCAccessPolicy": {{
		actions: []string{"ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
			"ec2:DetachNetworkInterface"},
		resources: []string{"*"}}},
	"EC2DescribePolicy": {{
		actions:   []string{"ec2:DescribeRegions", "ec2:DescribeInstances"},
		resources: []string{"*"}}},
	"AMIDescribePolicy": {{
		actions:   []string{"ec2:DescribeImages"},
		resources: []string{"*"}}},
	"CloudFormationDescribeStacksPolicy": {{
		actions:   []string{"cloudformation:DescribeStacks"},
		resources: []string{"arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*"}}},
	"FilterLogEventsPolicy": {{
		actions:   []string{"logs:FilterLogEvents"},
		resources: []string{"arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:${LogGroupName}:log-stream:*"}}},
}

var templateParam = regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`)

// policyTemplate renders a SAM policy template with its parameter values into a policy document.
func (t *translator) policyTemplate(ownerID, name string, params any) (map[string]any, error) {
	stmts, ok := policyTemplates[name]
	if !ok {
		return nil, unsupported(ownerID, "Policy template '"+name+"'")
	}
	pm, ok := params.(map[string]any)
	if !ok {
		if params == nil {
			pm = map[string]any{}
		} else {
			return nil, resourceErr(ownerID, "Must specify valid parameter values for policy template '%s'", name)
		}
	}
	var out []any
	for _, st := range stmts {
		var res []any
		for _, pat := range st.resources {
			names := map[string]bool{}
			for _, m := range templateParam.FindAllStringSubmatch(pat, -1) {
				names[m[1]] = true
			}
			if len(names) == 0 {
				if strings.Contains(pat, "${") {
					res = append(res, map[string]any{"Fn::Sub": pat})
				} else {
					res = append(res, pat)
				}
				continue
			}
			vars := map[string]any{}
			var missing []string
			for n := range names {
				v, ok := pm[n]
				if !ok {
					missing = append(missing, n)
					continue
				}
				vars[lowerFirst(n)] = v
			}
			if len(missing) > 0 {
				sort.Strings(missing)
				quoted := make([]string, len(missing))
				for i, m := range missing {
					quoted[i] = "'" + m + "'"
				}
				return nil, resourceErr(ownerID, "Following required parameters of template '%s' don't have values: [%s]", name, strings.Join(quoted, ", "))
			}
			res = append(res, map[string]any{"Fn::Sub": []any{templateParam.ReplaceAllStringFunc(pat, func(s string) string {
				return "${" + lowerFirst(s[2:len(s)-1]) + "}"
			}), vars}})
		}
		actions := make([]any, len(st.actions))
		for i, a := range st.actions {
			actions[i] = a
		}
		var resource any = res
		if len(res) == 1 && !st.resourceList {
			resource = res[0]
		}
		var action any = actions
		if st.actionString && len(actions) == 1 {
			action = actions[0]
		}
		out = append(out, map[string]any{"Effect": "Allow", "Action": action, "Resource": resource})
	}
	return map[string]any{"Statement": out}, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
