package sam

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustLoad(t *testing.T, src string) map[string]any {
	t.Helper()
	tmpl, err := loadYAML([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

func TestTransformDoesNotMutateInput(t *testing.T) {
	tmpl := mustLoad(t, `
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Timeout: 5
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: bootstrap
      Runtime: provided.al2023
      Events:
        Get:
          Type: Api
          Properties: {Path: /, Method: get}
`)
	before := deepCopy(tmpl)
	if _, err := Transform(tmpl, testOptions()); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(before, tmpl); d != "" {
		t.Errorf("input changed (-before +after):\n%s", d)
	}
}

func TestLocalCodeAndMetadata(t *testing.T) {
	tmpl := mustLoad(t, `
Transform: [AWS::Serverless-2016-10-31, AWS::LanguageExtensions]
Resources:
  Hello:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: go1.x
    Properties:
      CodeUri: hello-world/
      Handler: bootstrap
      Runtime: provided.al2023
      Architectures: [arm64]
`)
	out, err := Transform(tmpl, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	fn := out["Resources"].(map[string]any)["Hello"].(map[string]any)
	p := fn["Properties"].(map[string]any)
	if p["Code"] != "hello-world/" {
		t.Errorf("Code = %#v, want the local path for the deployer to package", p["Code"])
	}
	if d := cmp.Diff(map[string]any{"BuildMethod": "go1.x"}, fn["Metadata"]); d != "" {
		t.Errorf("Metadata (-want +got):\n%s", d)
	}
	if tr, ok := out["Transform"].([]any); !ok || len(tr) != 1 || tr[0] != "AWS::LanguageExtensions" {
		t.Errorf("Transform = %#v, want only the other transform", out["Transform"])
	}
	if _, ok := out["Resources"].(map[string]any)["HelloRole"]; !ok {
		t.Error("no HelloRole generated")
	}
}

func TestTransformErrors(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"no resources", `Transform: AWS::Serverless-2016-10-31`, "'Resources' section is required"},
		{"unsupported event", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Events:
        Stream:
          Type: MSK
          Properties: {Stream: arn, StartingPosition: LATEST, Topics: [t]}
`, "Resource with id [Fn] is invalid. Event with id [Stream] is invalid. Event type 'MSK' is not supported by nubo's SAM transform yet."},
		{"unsupported type", `
Resources:
  Graph:
    Type: AWS::Serverless::GraphQLApi
    Properties: {}
`, "Resource with id [Graph] is invalid. Type AWS::Serverless::GraphQLApi is not supported by nubo's SAM transform yet."},
		{"deployment preference without an alias", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      DeploymentPreference:
        Type: Canary10Percent5Minutes
`, "Resource with id [Fn] is invalid. 'DeploymentPreference' requires AutoPublishAlias property to be specified."},
		{"unknown property", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Bogus: 1
`, "property Bogus not defined for resource of type AWS::Serverless::Function"},
		{"policy template without its parameter", `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Policies:
        - SQSPollerPolicy: {}
`, "Following required parameters of template 'SQSPollerPolicy' don't have values: ['QueueName']"},
		{"generated id taken", `
Resources:
  FnJobs:
    Type: AWS::SQS::Queue
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Events:
        Jobs:
          Type: SQS
          Properties: {Queue: arn:aws:sqs:ap-southeast-1:123456789012:q}
`, "Transforming resource with id [Fn] attempts to create a new resource with id [FnJobs] and type \"AWS::Lambda::EventSourceMapping\"."},
		{"bad logical id", `
Resources:
  bad-id:
    Type: AWS::SNS::Topic
`, "Resource with id [bad-id] is invalid. Logical ids must be alphanumeric."},
		{"several errors counted", `
Resources:
  A:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: s3://b/k, Handler: h, Runtime: python3.12, Bogus: 1}
  B:
    Type: AWS::Serverless::Function
    Properties: {CodeUri: s3://b/k, Handler: h, Runtime: python3.12, Bogus: 1}
`, "Number of errors found: 2."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Transform(mustLoad(t, tc.src), testOptions())
			if err == nil {
				t.Fatalf("no error, want %q", tc.want)
			}
			if !strings.HasPrefix(err.Error(), "Invalid Serverless Application Specification document.") {
				t.Errorf("error %q lacks the translator's prefix", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q\nwant it to contain %q", err, tc.want)
			}
		})
	}
}

func TestImplicitIDs(t *testing.T) {
	tmpl := mustLoad(t, `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      FunctionUrlConfig: {AuthType: NONE}
      Events:
        Rest:
          Type: Api
          Properties: {Path: /r, Method: get}
        Http:
          Type: HttpApi
        Mine:
          Type: Api
          Properties: {Path: /m, Method: post, RestApiId: !Ref Mine}
  Mine:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v-1
`)
	out, err := Transform(tmpl, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	res := out["Resources"].(map[string]any)
	want := map[string]string{
		"Fn": "AWS::Lambda::Function", "FnRole": "AWS::IAM::Role",
		"FnUrl": "AWS::Lambda::Url", "FnUrlPublicPermissions": "AWS::Lambda::Permission",
		"FnURLInvokeAllowPublicAccess": "AWS::Lambda::Permission",
		"ServerlessRestApi":            "AWS::ApiGateway::RestApi", "ServerlessRestApiProdStage": "AWS::ApiGateway::Stage",
		"FnRestPermissionProd": "AWS::Lambda::Permission",
		"ServerlessHttpApi":    "AWS::ApiGatewayV2::Api", "ServerlessHttpApiApiGatewayDefaultStage": "AWS::ApiGatewayV2::Stage",
		"FnHttpPermission": "AWS::Lambda::Permission",
		"Mine":             "AWS::ApiGateway::RestApi",
		// A stage name that is not alphanumeric is hashed: sha1("v-1")[:10].
		"MineStage" + hashID("v-1"):        "AWS::ApiGateway::Stage",
		"FnMinePermission" + hashID("v-1"): "AWS::Lambda::Permission",
	}
	for id, typ := range want {
		r, ok := res[id].(map[string]any)
		if !ok {
			t.Errorf("%s: missing", id)
			continue
		}
		if r["Type"] != typ {
			t.Errorf("%s: type %v, want %s", id, r["Type"], typ)
		}
	}
	deployments := 0
	for id, r := range res {
		if r.(map[string]any)["Type"] == "AWS::ApiGateway::Deployment" {
			deployments++
			if !strings.HasPrefix(id, "ServerlessRestApiDeployment") && !strings.HasPrefix(id, "MineDeployment") {
				t.Errorf("deployment %s", id)
			}
		}
	}
	if deployments != 2 {
		t.Errorf("%d deployments, want 2", deployments)
	}
	if len(res) != len(want)+deployments {
		t.Errorf("%d resources, want %d", len(res), len(want)+deployments)
	}
}

func TestStableJSONMatchesPython(t *testing.T) {
	// Python: json.dumps({"b": [1, 2.5, True, None], "a": "é/<"}, separators=(",", ":"), sort_keys=True)
	got := stableJSON(map[string]any{"b": []any{1, 2.5, true, nil}, "a": "é/<"})
	want := `{"a":"\u00e9/<","b":[1,2.5,true,null]}`
	if got != want {
		t.Errorf("stableJSON = %s, want %s", got, want)
	}
}

func TestNoInternalMarkersInOutput(t *testing.T) {
	// Event scopes without an API Auth must not leave nubo's marker in the document.
	tmpl := mustLoad(t, `
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Events:
        Get:
          Type: HttpApi
          Properties:
            Path: /x
            Method: get
            Auth:
              AuthorizationScopes: [read]
`)
	out, err := Transform(tmpl, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if s := stableJSON(out); strings.Contains(s, "nubo") {
		t.Errorf("output mentions nubo internals: %s", s)
	}
}

func TestLayerVersion(t *testing.T) {
	tmpl := mustLoad(t, `
Transform: AWS::Serverless-2016-10-31
Resources:
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties:
      ContentUri: s3://bucket/deps.zip
      CompatibleRuntimes: [python3.12]
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: s3://bucket/fn.zip
      Handler: app.handler
      Runtime: python3.12
      Layers:
        - !Ref Deps
Outputs:
  LayerArn:
    Value: !Ref Deps
  Other:
    Value: !Sub "${Deps} and ${Fn.Arn}"
`)
	out, err := Transform(tmpl, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	res := out["Resources"].(map[string]any)
	// The ID AWS's translator gives this layer (aws-sam-translator 1.110).
	const id = "Deps84684990dc"
	want := map[string]any{
		"Type": "AWS::Lambda::LayerVersion", "DeletionPolicy": "Retain",
		"Properties": map[string]any{"CompatibleRuntimes": []any{"python3.12"},
			"Content": map[string]any{"S3Bucket": "bucket", "S3Key": "deps.zip"}, "LayerName": "Deps"},
	}
	if d := cmp.Diff(want, res[id]); d != "" {
		t.Errorf("%s (-want +got):\n%s", id, d)
	}
	if _, ok := res["Deps"]; ok {
		t.Error("the SAM layer is still in the output")
	}
	layers := res["Fn"].(map[string]any)["Properties"].(map[string]any)["Layers"]
	if d := cmp.Diff([]any{map[string]any{"Ref": id}}, layers); d != "" {
		t.Errorf("function Layers (-want +got):\n%s", d)
	}
	wantOut := map[string]any{
		"LayerArn": map[string]any{"Value": map[string]any{"Ref": id}},
		"Other":    map[string]any{"Value": map[string]any{"Fn::Sub": "${" + id + "} and ${Fn.Arn}"}},
	}
	if d := cmp.Diff(wantOut, out["Outputs"]); d != "" {
		t.Errorf("Outputs (-want +got):\n%s", d)
	}
}

func TestReferableProperties(t *testing.T) {
	tmpl := mustLoad(t, `
Resources:
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
  Http:
    Type: AWS::Serverless::HttpApi
    Properties:
      StageName: v1
Outputs:
  Stage:
    Value: !Ref MyApi.Stage
  Url:
    Value: !Sub "https://${Http}.execute-api.${AWS::Region}.amazonaws.com/${Http.Stage}"
`)
	out, err := Transform(tmpl, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Stage": map[string]any{"Value": map[string]any{"Ref": "MyApiliveStage"}},
		"Url": map[string]any{"Value": map[string]any{
			"Fn::Sub": "https://${Http}.execute-api.${AWS::Region}.amazonaws.com/${Httpv1Stage}"}},
	}
	if d := cmp.Diff(want, out["Outputs"]); d != "" {
		t.Errorf("Outputs (-want +got):\n%s", d)
	}
}

func TestSharedAttributesWithIntrinsicPolicies(t *testing.T) {
	// Deletion policies that are not plain strings must not break the merge of attributes.
	tmpl := mustLoad(t, `
Resources:
  A:
    Type: AWS::Serverless::Function
    DeletionPolicy: [Retain]
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties: {Path: /a, Method: get}
  B:
    Type: AWS::Serverless::Function
    DeletionPolicy: {Ref: Policy}
    Properties:
      CodeUri: s3://b/k
      Handler: h
      Runtime: python3.12
      Events:
        Get:
          Type: Api
          Properties: {Path: /b, Method: get}
`)
	out, err := Transform(tmpl, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	api, _ := out["Resources"].(map[string]any)["ServerlessRestApi"].(map[string]any)
	if d := cmp.Diff([]any{"Retain"}, api["DeletionPolicy"]); d != "" {
		t.Errorf("implicit API DeletionPolicy (-want +got):\n%s", d)
	}
}
