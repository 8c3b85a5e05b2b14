package tables_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestTables_UpdateTable adds a GSI to a table holding items and queries
// it at once, deletes it, switches billing, enables a stream, and reads
// DescribeLimits and DescribeEndpoints.
func TestTables_UpdateTable(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	createOrders(t, c)
	table := aws.String("orders")
	for i, st := range []string{"open", "open", "closed"} {
		if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u-" + st), "n": n(fmt.Sprint(i))},
			UpdateExpression: aws.String("SET st = :s ADD hits :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":s": s(st), ":one": n("1")}}); err != nil {
			t.Fatal(err)
		}
	}
	up, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: table,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("st"), AttributeType: types.ScalarAttributeTypeS}},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Create: &types.CreateGlobalSecondaryIndexAction{IndexName: aws.String("bySt"),
			KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("st"), KeyType: types.KeyTypeHash}}, Projection: &types.Projection{ProjectionType: types.ProjectionTypeKeysOnly}}}},
		StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeKeysOnly}})
	if err != nil {
		t.Fatal(err)
	}
	if len(up.TableDescription.GlobalSecondaryIndexes) != 1 || up.TableDescription.LatestStreamArn == nil {
		t.Errorf("after UpdateTable: %+v", up.TableDescription)
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: table, IndexName: aws.String("bySt"), KeyConditionExpression: aws.String("st = :s"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":s": s("open")}})
	if err != nil || q.Count != 2 || q.Items[0]["hits"] != nil || q.Items[0]["st"] == nil {
		t.Errorf("query the new GSI: %v %+v", err, q)
	}
	_, err = c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: table, StreamSpecification: &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage}})
	wantAPIError(t, "second stream", err, "ValidationException", "Table already has an enabled stream")
	if _, err := c.UpdateTable(ctx, &dynamodb.UpdateTableInput{TableName: table, BillingMode: types.BillingModeProvisioned,
		ProvisionedThroughput:       &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(3), WriteCapacityUnits: aws.Int64(4)},
		GlobalSecondaryIndexUpdates: []types.GlobalSecondaryIndexUpdate{{Delete: &types.DeleteGlobalSecondaryIndexAction{IndexName: aws.String("bySt")}}}}); err != nil {
		t.Fatal(err)
	}
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: table})
	if err != nil || len(d.Table.GlobalSecondaryIndexes) != 0 || aws.ToInt64(d.Table.ProvisionedThroughput.WriteCapacityUnits) != 4 || d.Table.BillingModeSummary != nil || aws.ToInt64(d.Table.ItemCount) != 3 {
		t.Errorf("describe after: %v %+v", err, d.Table)
	}
	lim, err := c.DescribeLimits(ctx, &dynamodb.DescribeLimitsInput{})
	if err != nil || aws.ToInt64(lim.TableMaxReadCapacityUnits) != 40000 {
		t.Errorf("limits: %v %+v", err, lim)
	}
	ep, err := c.DescribeEndpoints(ctx, &dynamodb.DescribeEndpointsInput{})
	if err != nil || len(ep.Endpoints) != 1 || aws.ToString(ep.Endpoints[0].Address) == "" {
		t.Errorf("endpoints: %v %+v", err, ep)
	}
}
