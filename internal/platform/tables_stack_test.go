package platform

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/nubo-run/nubo/internal/stacks"
)

// TestTablesStack deploys a SAM SimpleTable and an AWS::DynamoDB::Table,
// has a python function put, update and get an item with boto3's resource
// API under DynamoDBCrudPolicy (denied on the other table), and destroys
// the stack, which tables make stateful: only with AllowDataLoss.
func TestTablesStack(t *testing.T) {
	if testing.Short() {
		t.Skip("runs function processes")
	}
	p := startPlatform(t, Options{})
	lc := lambdaClientFor("http://" + p.EdgeAddr())
	dir := copyDir(t, "testdata/tables-stack")
	_, res := deployStack(t, p, dir, nil)
	users, payments := res.Outputs["UsersTable"], res.Outputs["PaymentsTable"]
	if !strings.HasPrefix(users, "hello-Users-") || !strings.HasPrefix(payments, "hello-Payments-") {
		t.Fatalf("table names %q %q", users, payments)
	}
	if res.Outputs["PaymentsArn"] != "arn:aws:dynamodb:us-east-1:000000000000:table/"+payments ||
		!strings.HasPrefix(res.Outputs["PaymentsStream"], res.Outputs["PaymentsArn"]+"/stream/") {
		t.Errorf("GetAtt: %v", res.Outputs)
	}
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()),
		Credentials: credentials.NewStaticCredentialsProvider(DefaultAccessKey, DefaultSecretKey, "")})
	d, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(users)})
	if err != nil || aws.ToString(d.Table.KeySchema[0].AttributeName) != "userId" || d.Table.BillingModeSummary == nil {
		t.Fatalf("describe the SimpleTable: %v %+v", err, d)
	}

	out := invokeString(t, lc, res.Outputs["Fn"], `{"id":"u1","name":"Ada"}`)
	var got struct {
		Name     string `json:"name"`
		Visits   int    `json:"visits"`
		Payments string `json:"payments"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || got.Name != "Ada" || got.Visits != 2 || got.Payments != "AccessDeniedException" {
		t.Errorf("function answered %s (%v)", out, err)
	}

	// A key-schema change replaces a table: refused in the stateful stack.
	tpl := filepath.Join(dir, "template.yaml")
	src, err := os.ReadFile(tpl)
	if err != nil {
		t.Fatal(err)
	}
	changed := strings.Replace(string(src), "PrimaryKey: {Name: userId, Type: String}", "PrimaryKey: {Name: uid, Type: String}", 1)
	plan, err := p.Stacks.Plan(context.Background(), stacks.PlanRequest{Stack: "hello", Template: changed, BaseDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.Join(plan.Refusals, "\n"), `replacing Users (AWS::DynamoDB::Table) in stateful stack "hello" would lose its data`) {
		t.Errorf("a key-schema change planned without refusal: %v", plan.Refusals)
	}

	// Tables hold data: the stack is stateful, its destroy needs --allow-data-loss.
	_, err = p.Stacks.Destroy(context.Background(), stacks.DestroyRequest{Stack: "hello"}, nil)
	if err == nil || !strings.Contains(err.Error(), "deleting Users (AWS::DynamoDB::Table) in stateful stack \"hello\" would lose its data") {
		t.Fatalf("destroy without allow-data-loss: %v", err)
	}
	if _, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(users)}); err != nil {
		t.Fatalf("the refused destroy deleted the table: %v", err)
	}
	if _, err := p.Stacks.Destroy(context.Background(), stacks.DestroyRequest{Stack: "hello", AllowDataLoss: true}, nil); err != nil {
		t.Fatalf("destroy: %v", err)
	}
	if _, err := db.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: aws.String(users)}); err == nil {
		t.Error("the table outlived its stack")
	}
}
