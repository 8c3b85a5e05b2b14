package awsmanaged

// supplement are AWS managed policies the generated data lacks because AWS
// published them after its snapshot (zz_source.go's Date). Each is written
// from AWS's managed policy reference
// (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/); a
// regeneration from a newer snapshot that has one makes its entry here
// unused (the generated one wins), and it should then be deleted.
var supplement = []entry{
	// SAM attaches it instead of AWSLambdaBasicExecutionRole to functions
	// with DurableConfig (Lambda durable functions, December 2025).
	{
		Name: "AWSLambdaBasicDurableExecutionRolePolicy", Path: "/service-role/", ID: "ANPAZKAPJZG4DURABLEV3",
		Version: "v3", Created: "2025-12-02T00:00:00Z", Updated: "2025-12-02T00:00:00Z",
		Document: []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["logs:CreateLogGroup","logs:CreateLogStream","logs:PutLogEvents","lambda:CheckpointDurableExecution","lambda:GetDurableExecutionState"],"Resource":"*"}]}`),
	},
}
