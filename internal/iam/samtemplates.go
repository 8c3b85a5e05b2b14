package iam

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
)

// SAMTemplate is one of AWS SAM's policy templates (a function's
// `Policies: - SQSSendMessagePolicy: {QueueName: !GetAtt Q.QueueName}`).
// Statements hold CloudFormation intrinsics exactly as AWS's translator
// emits them ({"Fn::Sub": [..., {"queueName": {"Ref": "QueueName"}}]});
// Expand substitutes the template's parameters, and the stack engine then
// resolves the intrinsics like any others.
type SAMTemplate struct {
	Name        string
	Description string
	Parameters  []string
	Statements  []map[string]any
}

// SAMPolicyTemplate returns the template called name.
func SAMPolicyTemplate(name string) (SAMTemplate, bool) {
	for _, t := range samTemplates() {
		if t.Name == name {
			return t, true
		}
	}
	return SAMTemplate{}, false
}

// SAMPolicyTemplateNames lists every template, sorted.
func SAMPolicyTemplateNames() []string {
	ts := samTemplates()
	names := make([]string, 0, len(ts))
	for _, t := range ts {
		names = append(names, t.Name)
	}
	sort.Strings(names)
	return names
}

// Expand replaces each {"Ref": PARAM} in the template's statements with
// params[PARAM] (a string or any intrinsic, e.g. {"Fn::GetAtt": [...]}).
// Every parameter is required and unknown ones are refused, as SAM does.
func (t SAMTemplate) Expand(params map[string]any) ([]map[string]any, error) {
	for _, p := range t.Parameters {
		if _, ok := params[p]; !ok {
			return nil, fmt.Errorf("policy template %s: missing parameter %s", t.Name, p)
		}
	}
	for k := range params {
		if !slices.Contains(t.Parameters, k) {
			return nil, fmt.Errorf("policy template %s: unknown parameter %s", t.Name, k)
		}
	}
	out := make([]map[string]any, 0, len(t.Statements))
	for _, s := range t.Statements {
		out = append(out, substitute(s, params).(map[string]any))
	}
	return out, nil
}

func substitute(v any, params map[string]any) any {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
			if p, ok := params[ref]; ok {
				return p
			}
		}
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = substitute(e, params)
		}
		return m
	case []any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = substitute(e, params)
		}
		return l
	}
	return v
}

// ResolveStatements turns expanded statements into a policy document,
// resolving Fn::Sub and Ref of the pseudo parameters AWS::Partition,
// AWS::Region and AWS::AccountId (parameter values must then be strings).
// The stack engine resolves intrinsics itself; this serves nubo's tests,
// `nubo iam` tooling and templates with literal parameters.
func ResolveStatements(stmts []map[string]any, region, account string) (string, error) {
	subVar := regexp.MustCompile(`\$\{([^}!]+)\}`)
	pseudo := map[string]string{"AWS::Partition": "aws", "AWS::Region": region, "AWS::AccountId": account, "AWS::URLSuffix": "amazonaws.com"}
	var resolve func(v any) (any, error)
	resolve = func(v any) (any, error) {
		switch x := v.(type) {
		case map[string]any:
			if s, ok := x["Fn::Sub"]; ok && len(x) == 1 {
				format, vars := "", map[string]any{}
				switch y := s.(type) {
				case string:
					format = y
				case []any:
					if len(y) != 2 {
						return nil, fmt.Errorf("Fn::Sub: want [format, variables]")
					}
					format, _ = y[0].(string)
					vars, _ = y[1].(map[string]any)
				}
				var err error
				out := subVar.ReplaceAllStringFunc(format, func(m string) string {
					name := m[2 : len(m)-1]
					if v, ok := vars[name]; ok {
						r, e := resolve(v)
						if s, ok := r.(string); ok && e == nil {
							return s
						}
						err = fmt.Errorf("Fn::Sub: variable %s is not a string", name)
						return m
					}
					if p, ok := pseudo[name]; ok {
						return p
					}
					err = fmt.Errorf("Fn::Sub: unresolved ${%s}", name)
					return m
				})
				return out, err
			}
			if ref, ok := x["Ref"].(string); ok && len(x) == 1 {
				if p, ok := pseudo[ref]; ok {
					return p, nil
				}
				return nil, fmt.Errorf("unresolved Ref %s", ref)
			}
			m := map[string]any{}
			for k, e := range x {
				r, err := resolve(e)
				if err != nil {
					return nil, err
				}
				m[k] = r
			}
			return m, nil
		case []any:
			l := make([]any, len(x))
			for i, e := range x {
				r, err := resolve(e)
				if err != nil {
					return nil, err
				}
				l[i] = r
			}
			return l, nil
		case []string:
			l := make([]any, len(x))
			for i, e := range x {
				l[i] = e
			}
			return l, nil
		}
		return v, nil
	}
	var resolved []any
	for _, s := range stmts {
		r, err := resolve(s)
		if err != nil {
			return "", err
		}
		resolved = append(resolved, r)
	}
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": resolved})
	return string(b), err
}

// ---- definitions ----

// Helpers that keep the 81 definitions below readable.

// allowT is an Allow statement; actions is a []string, or a string where
// SAM's definition has a single string.
func allowT(actions any, resource any) map[string]any {
	return map[string]any{"Effect": "Allow", "Action": actions, "Resource": resource}
}

func withCond(s map[string]any, op, key string, value any) map[string]any {
	s["Condition"] = map[string]any{op: map[string]any{key: value}}
	return s
}

func list(items ...string) []string { return items }

// sub is {"Fn::Sub": format}.
func sub(format string) map[string]any { return map[string]any{"Fn::Sub": format} }

// subRef is {"Fn::Sub": [format, {var: {"Ref": Param}, ...}]}; pairs are
// var, Param, var, Param, ...
func subRef(format string, pairs ...string) map[string]any {
	vars := map[string]any{}
	for i := 0; i+1 < len(pairs); i += 2 {
		vars[pairs[i]] = map[string]any{"Ref": pairs[i+1]}
	}
	return map[string]any{"Fn::Sub": []any{format, vars}}
}

// regional is arn:${AWS::Partition}:SERVICE:${AWS::Region}:${AWS::AccountId}:REST.
func regional(service, rest string) string {
	return "arn:${AWS::Partition}:" + service + ":${AWS::Region}:${AWS::AccountId}:" + rest
}

func tmpl(name, desc string, params []string, stmts ...map[string]any) SAMTemplate {
	return SAMTemplate{Name: name, Description: desc, Parameters: params, Statements: stmts}
}

func params(names ...string) []string { return names }

func samTemplates() []SAMTemplate {
	table := func(suffix string) map[string]any {
		return subRef(regional("dynamodb", "table/${tableName}"+suffix), "tableName", "TableName")
	}
	tableAndIndexes := func() []any { return []any{table(""), table("/index/*")} }
	emrCluster := func() map[string]any {
		return subRef(regional("elasticmapreduce", "cluster/${clusterId}"), "clusterId", "ClusterId")
	}
	collection := func() map[string]any {
		return subRef(regional("rekognition", "collection/${collectionId}"), "collectionId", "CollectionId")
	}
	bucket := func(suffix string) map[string]any {
		return subRef("arn:${AWS::Partition}:s3:::${bucketName}"+suffix, "bucketName", "BucketName")
	}
	sesIdentity := func() map[string]any {
		return subRef(regional("ses", "identity/${identityName}"), "identityName", "IdentityName")
	}
	kmsKey := func() map[string]any { return subRef(regional("kms", "key/${keyId}"), "keyId", "KeyId") }
	stateMachine := func() map[string]any {
		return subRef(regional("states", "stateMachine:${stateMachineName}"), "stateMachineName", "StateMachineName")
	}
	firehose := func() map[string]any {
		return subRef(regional("firehose", "deliverystream/${deliveryStreamName}"), "deliveryStreamName", "DeliveryStreamName")
	}
	codecommitRepo := func() map[string]any {
		return subRef(regional("codecommit", "${repositoryName}"), "repositoryName", "RepositoryName")
	}
	ssmParamRead := func(name, format string) SAMTemplate {
		return tmpl(name, "Gives access to a parameter to load secrets in this account. If not using default key, KMSDecryptPolicy will also be needed.", params("ParameterName"),
			allowT(list("ssm:DescribeParameters"), "*"),
			allowT(list("ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"), subRef(regional("ssm", format), "parameterName", "ParameterName")))
	}
	none := params()

	return []SAMTemplate{
		tmpl("AMIDescribePolicy", "Gives permissions to describe AMIs", none, allowT(list("ec2:DescribeImages"), "*")),
		tmpl("AWSSecretsManagerGetSecretValuePolicy", "Grants permissions to GetSecretValue for the specified AWS Secrets Manager secret", params("SecretArn"),
			allowT(list("secretsmanager:GetSecretValue"), subRef("${secretArn}", "secretArn", "SecretArn"))),
		tmpl("AWSSecretsManagerRotationPolicy", "Grants permissions to APIs required to rotate a secret in AWS Secrets Manager", params("FunctionName"),
			withCond(allowT(list("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"),
				sub(regional("secretsmanager", "secret:*"))),
				"StringEquals", "secretsmanager:resource/AllowRotationLambdaArn", subRef(regional("lambda", "function:${functionName}"), "functionName", "FunctionName")),
			allowT(list("secretsmanager:GetRandomPassword"), "*")),
		tmpl("AcmGetCertificatePolicy", "Gives permission to retrieve a certificate and its certificate chain from ACM", params("CertificateArn"),
			allowT(list("acm:GetCertificate"), subRef("${certificateArn}", "certificateArn", "CertificateArn"))),
		tmpl("AthenaQueryPolicy", "Gives permissions to execute Athena queries", params("WorkGroupName"),
			allowT(list("athena:ListWorkGroups", "athena:GetExecutionEngine", "athena:GetExecutionEngines", "athena:GetNamespace", "athena:GetCatalogs",
				"athena:GetNamespaces", "athena:GetTables", "athena:GetTable"), "*"),
			allowT(list("athena:StartQueryExecution", "athena:GetQueryResults", "athena:DeleteNamedQuery", "athena:GetNamedQuery", "athena:ListQueryExecutions",
				"athena:StopQueryExecution", "athena:GetQueryResultsStream", "athena:ListNamedQueries", "athena:CreateNamedQuery", "athena:GetQueryExecution",
				"athena:BatchGetNamedQuery", "athena:BatchGetQueryExecution", "athena:GetWorkGroup"),
				subRef(regional("athena", "workgroup/${workgroupName}"), "workgroupName", "WorkGroupName"))),
		tmpl("CloudFormationDescribeStacksPolicy", "Gives permission to describe CloudFormation stacks", none,
			allowT(list("cloudformation:DescribeStacks"), sub(regional("cloudformation", "stack/*")))),
		tmpl("CloudWatchDashboardPolicy", "Gives permissions to put metrics to operate on CloudWatch Dashboards", none,
			allowT(list("cloudwatch:GetDashboard", "cloudwatch:ListDashboards", "cloudwatch:PutDashboard", "cloudwatch:ListMetrics"), "*")),
		tmpl("CloudWatchDescribeAlarmHistoryPolicy", "Gives permissions to describe CloudWatch alarm history", none,
			allowT(list("cloudwatch:DescribeAlarmHistory"), "*")),
		tmpl("CloudWatchPutMetricPolicy", "Gives permissions to put metrics to CloudWatch", none, allowT(list("cloudwatch:PutMetricData"), "*")),
		tmpl("CodeCommitCrudPolicy", "Gives permissions to create/read/update/delete objects within a specific codecommit repository", params("RepositoryName"),
			allowT(list("codecommit:GitPull", "codecommit:GitPush", "codecommit:CreateBranch", "codecommit:DeleteBranch", "codecommit:GetBranch",
				"codecommit:ListBranches", "codecommit:MergeBranchesByFastForward", "codecommit:MergeBranchesBySquash", "codecommit:MergeBranchesByThreeWay",
				"codecommit:UpdateDefaultBranch", "codecommit:BatchDescribeMergeConflicts", "codecommit:CreateUnreferencedMergeCommit",
				"codecommit:DescribeMergeConflicts", "codecommit:GetMergeCommit", "codecommit:GetMergeOptions", "codecommit:BatchGetPullRequests",
				"codecommit:CreatePullRequest", "codecommit:DescribePullRequestEvents", "codecommit:GetCommentsForPullRequest",
				"codecommit:GetCommitsFromMergeBase", "codecommit:GetMergeConflicts", "codecommit:GetPullRequest", "codecommit:ListPullRequests",
				"codecommit:MergePullRequestByFastForward", "codecommit:MergePullRequestBySquash", "codecommit:MergePullRequestByThreeWay",
				"codecommit:PostCommentForPullRequest", "codecommit:UpdatePullRequestDescription", "codecommit:UpdatePullRequestStatus",
				"codecommit:UpdatePullRequestTitle", "codecommit:DeleteFile", "codecommit:GetBlob", "codecommit:GetFile", "codecommit:GetFolder",
				"codecommit:PutFile", "codecommit:DeleteCommentContent", "codecommit:GetComment", "codecommit:GetCommentsForComparedCommit",
				"codecommit:PostCommentForComparedCommit", "codecommit:PostCommentReply", "codecommit:UpdateComment", "codecommit:BatchGetCommits",
				"codecommit:CreateCommit", "codecommit:GetCommit", "codecommit:GetCommitHistory", "codecommit:GetDifferences",
				"codecommit:GetObjectIdentifier", "codecommit:GetReferences", "codecommit:GetTree", "codecommit:GetRepository",
				"codecommit:UpdateRepositoryDescription", "codecommit:ListTagsForResource", "codecommit:TagResource", "codecommit:UntagResource",
				"codecommit:GetRepositoryTriggers", "codecommit:PutRepositoryTriggers", "codecommit:TestRepositoryTriggers", "codecommit:GetBranch",
				"codecommit:GetCommit", "codecommit:UploadArchive", "codecommit:GetUploadArchiveStatus", "codecommit:CancelUploadArchive"), codecommitRepo())),
		tmpl("CodeCommitReadPolicy", "Gives permissions to read objects within a specific codecommit repository", params("RepositoryName"),
			allowT(list("codecommit:GitPull", "codecommit:GetBranch", "codecommit:ListBranches", "codecommit:BatchDescribeMergeConflicts",
				"codecommit:DescribeMergeConflicts", "codecommit:GetMergeCommit", "codecommit:GetMergeOptions", "codecommit:BatchGetPullRequests",
				"codecommit:DescribePullRequestEvents", "codecommit:GetCommentsForPullRequest", "codecommit:GetCommitsFromMergeBase",
				"codecommit:GetMergeConflicts", "codecommit:GetPullRequest", "codecommit:ListPullRequests", "codecommit:GetBlob", "codecommit:GetFile",
				"codecommit:GetFolder", "codecommit:GetComment", "codecommit:GetCommentsForComparedCommit", "codecommit:BatchGetCommits",
				"codecommit:GetCommit", "codecommit:GetCommitHistory", "codecommit:GetDifferences", "codecommit:GetObjectIdentifier",
				"codecommit:GetReferences", "codecommit:GetTree", "codecommit:GetRepository", "codecommit:ListTagsForResource",
				"codecommit:GetRepositoryTriggers", "codecommit:TestRepositoryTriggers", "codecommit:GetBranch", "codecommit:GetCommit",
				"codecommit:GetUploadArchiveStatus"), codecommitRepo())),
		tmpl("CodePipelineLambdaExecutionPolicy", "Gives permission for a Lambda function invoked by AWS CodePipeline to report back status of the job", none,
			allowT(list("codepipeline:PutJobSuccessResult", "codepipeline:PutJobFailureResult"), "*")),
		tmpl("CodePipelineReadOnlyPolicy", "Gives read permissions to get details about a CodePipeline pipeline", params("PipelineName"),
			allowT(list("codepipeline:ListPipelineExecutions"), subRef(regional("codepipeline", "${pipelinename}"), "pipelinename", "PipelineName"))),
		tmpl("ComprehendBasicAccessPolicy", "Gives access to Amazon Comprehend APIs for detecting entities, key phrases, languages and sentiments", none,
			allowT(list("comprehend:BatchDetectKeyPhrases", "comprehend:DetectDominantLanguage", "comprehend:DetectEntities", "comprehend:BatchDetectEntities",
				"comprehend:DetectKeyPhrases", "comprehend:DetectSentiment", "comprehend:BatchDetectDominantLanguage", "comprehend:BatchDetectSentiment"), "*")),
		tmpl("CostExplorerReadOnlyPolicy", "Gives access to the readonly Cost Explorer APIs for billing history", none,
			allowT(list("ce:GetCostAndUsage", "ce:GetDimensionValues", "ce:GetReservationCoverage", "ce:GetReservationPurchaseRecommendation",
				"ce:GetReservationUtilization", "ce:GetTags"), "*")),
		tmpl("DynamoDBBackupFullAccessPolicy", "Gives read/write permissions to DynamoDB on-demand backups for a table", params("TableName"),
			allowT(list("dynamodb:CreateBackup", "dynamodb:DescribeContinuousBackups"), table("")),
			allowT(list("dynamodb:DeleteBackup", "dynamodb:DescribeBackup", "dynamodb:ListBackups"), table("/backup/*"))),
		tmpl("DynamoDBCrudPolicy", "Gives CRUD access to a DynamoDB Table", params("TableName"),
			allowT(list("dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:UpdateItem",
				"dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"), tableAndIndexes())),
		tmpl("DynamoDBReadPolicy", "Gives read only access to a DynamoDB Table", params("TableName"),
			allowT(list("dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"), tableAndIndexes())),
		tmpl("DynamoDBReconfigurePolicy", "Gives access reconfigure to a DynamoDB Table", params("TableName"),
			allowT(list("dynamodb:UpdateTable"), table(""))),
		tmpl("DynamoDBRestoreFromBackupPolicy", "Gives permissions to restore a table from backup", params("TableName"),
			allowT(list("dynamodb:RestoreTableFromBackup"), table("/backup/*")),
			allowT(list("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan",
				"dynamodb:BatchWriteItem"), table(""))),
		tmpl("DynamoDBStreamReadPolicy", "Gives permission to describe and read a DynamoDB Stream and Records", params("StreamName", "TableName"),
			allowT(list("dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"),
				subRef(regional("dynamodb", "table/${tableName}/stream/${streamName}"), "streamName", "StreamName", "tableName", "TableName")),
			allowT(list("dynamodb:ListStreams"), table("/stream/*"))),
		tmpl("DynamoDBWritePolicy", "Gives write only access to a DynamoDB Table", params("TableName"),
			allowT(list("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"), tableAndIndexes())),
		tmpl("EC2CopyImagePolicy", "Gives permission top copy EC2 Images", params("ImageId"),
			allowT(list("ec2:CopyImage"), subRef(regional("ec2", "image/${imageId}"), "imageId", "ImageId"))),
		tmpl("EC2DescribePolicy", "Gives permission to describe EC2 instances", none, allowT(list("ec2:DescribeRegions", "ec2:DescribeInstances"), "*")),
		tmpl("EFSWriteAccessPolicy", "Gives permission to mount an Elastic File System with write access", params("AccessPoint", "FileSystem"),
			withCond(allowT(list("elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"),
				subRef(regional("elasticfilesystem", "file-system/${FileSystem}"), "FileSystem", "FileSystem")),
				"StringEquals", "elasticfilesystem:AccessPointArn", subRef(regional("elasticfilesystem", "access-point/${AccessPoint}"), "AccessPoint", "AccessPoint"))),
		tmpl("EKSDescribePolicy", "Gives permission to describe or list Amazon EKS clusters", none, allowT(list("eks:DescribeCluster", "eks:ListClusters"), "*")),
		tmpl("EcsRunTaskPolicy", "Gives permission to start a new task for a task definition", params("TaskDefinition"),
			allowT(list("ecs:RunTask"), subRef(regional("ecs", "task-definition/${taskDefinition}"), "taskDefinition", "TaskDefinition"))),
		tmpl("ElasticMapReduceAddJobFlowStepsPolicy", "Gives permission to add new steps to a running cluster", params("ClusterId"),
			allowT("elasticmapreduce:AddJobFlowSteps", emrCluster())),
		tmpl("ElasticMapReduceCancelStepsPolicy", "Gives permission to cancel a pending step or steps in a running cluster", params("ClusterId"),
			allowT("elasticmapreduce:CancelSteps", emrCluster())),
		tmpl("ElasticMapReduceModifyInstanceFleetPolicy", "Gives permission to list details and modify capacities for instance fleets within a cluster", params("ClusterId"),
			allowT(list("elasticmapreduce:ModifyInstanceFleet", "elasticmapreduce:ListInstanceFleets"), emrCluster())),
		tmpl("ElasticMapReduceModifyInstanceGroupsPolicy", "Gives permission to list details and modify settings for instance groups within a cluster", params("ClusterId"),
			allowT(list("elasticmapreduce:ModifyInstanceGroups", "elasticmapreduce:ListInstanceGroups"), emrCluster())),
		tmpl("ElasticMapReduceSetTerminationProtectionPolicy", "Gives permission to set termination protection for a cluster", params("ClusterId"),
			allowT("elasticmapreduce:SetTerminationProtection", emrCluster())),
		tmpl("ElasticMapReduceTerminateJobFlowsPolicy", "Gives permission to shut down a cluster", params("ClusterId"),
			allowT("elasticmapreduce:TerminateJobFlows", emrCluster())),
		tmpl("ElasticsearchHttpPostPolicy", "Gives POST and PUT permissions to Elasticsearch", params("DomainName"),
			allowT(list("es:ESHttpPost", "es:ESHttpPut"), subRef(regional("es", "domain/${domainName}/*"), "domainName", "DomainName"))),
		tmpl("EventBridgePutEventsPolicy", "Gives permissions to send events to EventBridge", params("EventBusName"),
			allowT("events:PutEvents", subRef(regional("events", "event-bus/${eventBusName}"), "eventBusName", "EventBusName"))),
		tmpl("FilterLogEventsPolicy", "Gives permission to filter Log Events from a specified Log Group", params("LogGroupName"),
			allowT(list("logs:FilterLogEvents"), subRef(regional("logs", "log-group:${logGroupName}:log-stream:*"), "logGroupName", "LogGroupName"))),
		tmpl("FirehoseCrudPolicy", "Gives permission to create, write to, update, and delete a Kinesis Firehose Delivery Stream", params("DeliveryStreamName"),
			allowT(list("firehose:CreateDeliveryStream", "firehose:DeleteDeliveryStream", "firehose:DescribeDeliveryStream", "firehose:PutRecord",
				"firehose:PutRecordBatch", "firehose:UpdateDestination"), firehose())),
		tmpl("FirehoseWritePolicy", "Gives permission to write to a Kinesis Firehose Delivery Stream", params("DeliveryStreamName"),
			allowT(list("firehose:PutRecord", "firehose:PutRecordBatch"), firehose())),
		tmpl("KMSDecryptPolicy", "Gives permission to decrypt with KMS Key", params("KeyId"), allowT("kms:Decrypt", kmsKey())),
		tmpl("KMSEncryptPolicy", "Gives permission to encrypt with KMS Key", params("KeyId"), allowT("kms:Encrypt", kmsKey())),
		tmpl("KMSEncryptPolicy_v2", "Gives permission to encrypt with KMS Key", params("KeyId"),
			allowT(list("kms:Encrypt", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:GenerateDataKeyPair",
				"kms:GenerateDataKeyPairWithoutPlaintext"), kmsKey())),
		tmpl("KinesisCrudPolicy", "Gives permission to create, publish and delete Kinesis Stream", params("StreamName"),
			allowT(list("kinesis:AddTagsToStream", "kinesis:CreateStream", "kinesis:DecreaseStreamRetentionPeriod", "kinesis:DeleteStream",
				"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:IncreaseStreamRetentionPeriod",
				"kinesis:ListTagsForStream", "kinesis:MergeShards", "kinesis:PutRecord", "kinesis:PutRecords", "kinesis:SplitShard",
				"kinesis:RemoveTagsFromStream"), subRef(regional("kinesis", "stream/${streamName}"), "streamName", "StreamName"))),
		tmpl("KinesisStreamReadPolicy", "Gives permission to list and read a Kinesis stream", params("StreamName"),
			allowT(list("kinesis:ListStreams", "kinesis:DescribeLimits"), sub(regional("kinesis", "stream/*"))),
			allowT(list("kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator"),
				subRef(regional("kinesis", "stream/${streamName}"), "streamName", "StreamName"))),
		tmpl("LambdaInvokePolicy", "Gives permission to invoke a Lambda Function, Alias or Version", params("FunctionName"),
			allowT(list("lambda:InvokeFunction"), subRef(regional("lambda", "function:${functionName}*"), "functionName", "FunctionName"))),
		tmpl("MobileAnalyticsWriteOnlyAccessPolicy", "Gives write only permissions to put event data for all application resources", none,
			allowT(list("mobileanalytics:PutEvents"), "*")),
		tmpl("OrganizationsListAccountsPolicy", "Gives readonly permission to list child account names and ids", none,
			allowT(list("organizations:ListAccounts"), "*")),
		tmpl("PinpointEndpointAccessPolicy", "Gives permissions to get and update endpoints for a Pinpoint application", params("PinpointApplicationId"),
			allowT(list("mobiletargeting:GetEndpoint", "mobiletargeting:UpdateEndpoint", "mobiletargeting:UpdateEndpointsBatch"),
				subRef(regional("mobiletargeting", "apps/${pinpointApplicationId}/endpoints/*"), "pinpointApplicationId", "PinpointApplicationId"))),
		tmpl("PollyFullAccessPolicy", "Gives full access permissions to Polly lexicon resources", params("LexiconName"),
			allowT(list("polly:GetLexicon", "polly:DeleteLexicon"), []any{subRef(regional("polly", "lexicon/${lexiconName}"), "lexiconName", "LexiconName")}),
			allowT(list("polly:DescribeVoices", "polly:ListLexicons", "polly:PutLexicon", "polly:SynthesizeSpeech"), []any{sub(regional("polly", "lexicon/*"))})),
		tmpl("RekognitionDetectOnlyPolicy", "Gives permission to detect faces, labels and text", none,
			allowT(list("rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:DetectModerationLabels", "rekognition:DetectText"), "*")),
		tmpl("RekognitionFacesManagementPolicy", "Gives permission to add, delete and search faces in a collection", params("CollectionId"),
			allowT(list("rekognition:IndexFaces", "rekognition:DeleteFaces", "rekognition:SearchFaces", "rekognition:SearchFacesByImage",
				"rekognition:ListFaces"), collection())),
		tmpl("RekognitionFacesPolicy", "Gives permission to compare and detect faces and labels", none,
			allowT(list("rekognition:CompareFaces", "rekognition:DetectFaces"), "*")),
		tmpl("RekognitionLabelsPolicy", "Gives permission to detect object and moderation labels", none,
			allowT(list("rekognition:DetectLabels", "rekognition:DetectModerationLabels"), "*")),
		tmpl("RekognitionNoDataAccessPolicy", "Gives permission to compare and detect faces and labels", params("CollectionId"),
			allowT(list("rekognition:CompareFaces", "rekognition:DetectFaces", "rekognition:DetectLabels", "rekognition:DetectModerationLabels"), collection())),
		tmpl("RekognitionReadPolicy", "Gives permission to list and search faces", params("CollectionId"),
			allowT(list("rekognition:ListCollections", "rekognition:ListFaces", "rekognition:SearchFaces", "rekognition:SearchFacesByImage"), collection())),
		tmpl("RekognitionWriteOnlyAccessPolicy", "Gives permission to create collection and index faces", params("CollectionId"),
			allowT(list("rekognition:CreateCollection", "rekognition:IndexFaces"), collection())),
		tmpl("Route53ChangeResourceRecordSetsPolicy", "Gives permission to change resource record sets in Route 53", params("HostedZoneId"),
			allowT(list("route53:ChangeResourceRecordSets"), subRef("arn:${AWS::Partition}:route53:::hostedzone/${HostedZoneId}", "HostedZoneId", "HostedZoneId"))),
		tmpl("S3CrudPolicy", "Gives CRUD permissions to objects in the S3 Bucket", params("BucketName"),
			allowT(list("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
				"s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"), []any{bucket(""), bucket("/*")})),
		tmpl("S3FullAccessPolicy", "Gives full access permissions to objects in the S3 Bucket", params("BucketName"),
			allowT(list("s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl", "s3:DeleteObject",
				"s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectTagging", "s3:GetObjectVersionTagging", "s3:PutObjectTagging",
				"s3:PutObjectVersionTagging"), []any{bucket("/*")}),
			allowT(list("s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"), []any{bucket("")})),
		tmpl("S3ReadPolicy", "Gives read permissions to objects in the S3 Bucket", params("BucketName"),
			allowT(list("s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"),
				[]any{bucket(""), bucket("/*")})),
		tmpl("S3WritePolicy", "Gives write permissions to objects in the S3 Bucket", params("BucketName"),
			allowT(list("s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"), []any{bucket(""), bucket("/*")})),
		tmpl("SESBulkTemplatedCrudPolicy", "Gives permission to send email, templated email, templated bulk emails and verify identity", params("IdentityName"),
			allowT(list("ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail",
				"ses:SendBulkTemplatedEmail", "ses:VerifyEmailIdentity"), sesIdentity())),
		tmpl("SESBulkTemplatedCrudPolicy_v2", "Gives permission to send email, templated email, templated bulk emails and verify identity", params("IdentityName", "TemplateName"),
			allowT(list("ses:SendEmail", "ses:SendRawEmail", "ses:SendTemplatedEmail", "ses:SendBulkTemplatedEmail"),
				[]any{sesIdentity(), subRef(regional("ses", "template/${templateName}"), "templateName", "TemplateName")}),
			allowT(list("ses:GetIdentityVerificationAttributes", "ses:VerifyEmailIdentity"), "*")),
		tmpl("SESCrudPolicy", "Gives permission to send email and verify identity", params("IdentityName"),
			allowT(list("ses:GetIdentityVerificationAttributes", "ses:SendEmail", "ses:SendRawEmail", "ses:VerifyEmailIdentity"), sesIdentity())),
		tmpl("SESEmailTemplateCrudPolicy", "Gives permission to create, get, list, update and delete SES Email Templates", none,
			allowT(list("ses:CreateTemplate", "ses:GetTemplate", "ses:ListTemplates", "ses:UpdateTemplate", "ses:DeleteTemplate", "ses:TestRenderTemplate"), "*")),
		tmpl("SESSendBouncePolicy", "Gives SendBounce permission to a SES identity", params("IdentityName"),
			allowT(list("ses:SendBounce"), sesIdentity())),
		tmpl("SNSCrudPolicy", "Gives permissions to create, publish and subscribe to SNS topics", params("TopicName"),
			allowT(list("sns:ListSubscriptionsByTopic", "sns:CreateTopic", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Publish"),
				subRef(regional("sns", "${topicName}*"), "topicName", "TopicName"))),
		tmpl("SNSPublishMessagePolicy", "Gives permission to publish message to SNS Topic", params("TopicName"),
			allowT(list("sns:Publish"), subRef(regional("sns", "${topicName}"), "topicName", "TopicName"))),
		tmpl("SQSPollerPolicy", "Gives permissions to poll an SQS Queue", params("QueueName"),
			allowT(list("sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage", "sqs:DeleteMessageBatch",
				"sqs:GetQueueAttributes", "sqs:ReceiveMessage"), subRef(regional("sqs", "${queueName}"), "queueName", "QueueName"))),
		tmpl("SQSSendMessagePolicy", "Gives permission to send message to SQS Queue", params("QueueName"),
			allowT(list("sqs:SendMessage*"), subRef(regional("sqs", "${queueName}"), "queueName", "QueueName"))),
		ssmParamRead("SSMParameterReadPolicy", "parameter/${parameterName}"),
		ssmParamRead("SSMParameterWithSlashPrefixReadPolicy", "parameter${parameterName}"),
		tmpl("SageMakerCreateEndpointConfigPolicy", "Gives permission to create an endpoint configuration in SageMaker", params("EndpointConfigName"),
			allowT(list("sagemaker:CreateEndpointConfig"), subRef(regional("sagemaker", "endpoint-config/${endpointConfigName}"), "endpointConfigName", "EndpointConfigName"))),
		tmpl("SageMakerCreateEndpointPolicy", "Gives permission to create an endpoint in SageMaker", params("EndpointName"),
			allowT(list("sagemaker:CreateEndpoint"), subRef(regional("sagemaker", "endpoint/${endpointName}"), "endpointName", "EndpointName"))),
		tmpl("ServerlessRepoReadWriteAccessPolicy", "Gives access permissions to create and list applications in the AWS Serverless Application Repository service", none,
			allowT(list("serverlessrepo:CreateApplication", "serverlessrepo:CreateApplicationVersion", "serverlessrepo:UpdateApplication",
				"serverlessrepo:GetApplication", "serverlessrepo:ListApplications", "serverlessrepo:ListApplicationVersions",
				"serverlessrepo:ListApplicationDependencies"), []any{sub(regional("serverlessrepo", "applications/*"))})),
		tmpl("StepFunctionsCallbackPolicy", "Gives permission to implement callback tasks in Step Functions", params("StateMachineName"),
			allowT(list("states:SendTaskFailure", "states:SendTaskHeartbeat", "states:SendTaskSuccess"), stateMachine())),
		tmpl("StepFunctionsExecutionPolicy", "Gives permission to start a Step Functions state machine execution", params("StateMachineName"),
			allowT(list("states:StartExecution"), stateMachine())),
		tmpl("StepFunctionsExecutionPolicy_v2", "Gives permission to start a Step Functions state machine execution", params("StateMachineName"),
			allowT(list("states:StartExecution", "states:StartSyncExecution"), stateMachine())),
		tmpl("TextractDetectAnalyzePolicy", "Gives access to detect and analyze documents with Textract", none,
			allowT(list("textract:DetectDocumentText", "textract:StartDocumentTextDetection", "textract:StartDocumentAnalysis", "textract:AnalyzeDocument"), "*")),
		tmpl("TextractGetResultPolicy", "Gives access to get detected and analyzed documents from Textract", none,
			allowT(list("textract:GetDocumentTextDetection", "textract:GetDocumentAnalysis"), "*")),
		tmpl("TextractPolicy", "Gives full access to Textract", none, allowT(list("textract:*"), "*")),
		tmpl("VPCAccessPolicy", "Gives access to create, delete, describe and detach ENIs", none,
			allowT(list("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DetachNetworkInterface"), "*")),
	}
}
