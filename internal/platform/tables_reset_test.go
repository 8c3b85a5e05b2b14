package platform

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestResetDropsTables: `nubo reset dynamodb` empties the region's tables,
// their items with them, and the service answers again afterwards.
func TestResetDropsTables(t *testing.T) {
	p := startPlatform(t, Options{})
	ctx := context.Background()
	db := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()),
		Credentials: credentials.NewStaticCredentialsProvider(DefaultAccessKey, DefaultSecretKey, "")})
	create := func() {
		t.Helper()
		if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("tab1"), BillingMode: types.BillingModePayPerRequest,
			KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}}}); err != nil {
			t.Fatal(err)
		}
	}
	create()
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("tab1"), Item: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := p.Reset(ctx, []string{"dynamodb"}); err != nil {
		t.Fatal(err)
	}
	list, err := db.ListTables(ctx, &dynamodb.ListTablesInput{})
	if err != nil || len(list.TableNames) != 0 {
		t.Fatalf("after reset: %v %v", err, list)
	}
	create()
	got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("tab1"), Key: map[string]types.AttributeValue{"id": &types.AttributeValueMemberS{Value: "a"}}})
	if err != nil || got.Item != nil {
		t.Errorf("an item outlived the reset: %v %v", err, got.Item)
	}
}
