package tables_test

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestTables_LegacyParameters: Expected, AttributeUpdates,
// AttributesToGet, KeyConditions, QueryFilter and ScanFilter, as older
// clients send them, and their refusal beside expressions.
func TestTables_LegacyParameters(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	createOrders(t, c)
	table := aws.String("orders")
	key := map[string]types.AttributeValue{"user": s("u1"), "n": n("1")}
	notExists := map[string]types.ExpectedAttributeValue{"user": {Exists: aws.Bool(false)}}
	item := map[string]types.AttributeValue{"user": s("u1"), "n": n("1"), "state": s("new"), "qty": n("2")}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item, Expected: notExists}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item, Expected: notExists})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("Expected Exists false over an item: %v", err)
	}
	up, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key,
		AttributeUpdates: map[string]types.AttributeValueUpdate{
			"qty":   {Action: types.AttributeActionAdd, Value: n("3")},
			"state": {Action: types.AttributeActionPut, Value: s("paid")},
			"tags":  {Action: types.AttributeActionAdd, Value: &types.AttributeValueMemberSS{Value: []string{"a"}}},
		},
		Expected:     map[string]types.ExpectedAttributeValue{"state": {Value: s("new")}, "qty": {ComparisonOperator: types.ComparisonOperatorLt, AttributeValueList: []types.AttributeValue{n("10")}}},
		ReturnValues: types.ReturnValueAllNew})
	if err != nil || up.Attributes["qty"].(*types.AttributeValueMemberN).Value != "5" || up.Attributes["state"].(*types.AttributeValueMemberS).Value != "paid" {
		t.Fatalf("AttributeUpdates: %v %+v", err, up)
	}
	if _, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: key,
		AttributeUpdates: map[string]types.AttributeValueUpdate{"tags": {Action: types.AttributeActionDelete}}}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key, AttributesToGet: []string{"qty", "tags"}})
	if err != nil || len(got.Item) != 1 || got.Item["qty"] == nil {
		t.Errorf("AttributesToGet after a DELETE action: %v %+v", err, got.Item)
	}
	for i, st := range []string{"a", "b", "c"} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"user": s("u2"), "n": n(string(rune('1' + i))), "state": s(st)}}); err != nil {
			t.Fatal(err)
		}
	}
	q, err := c.Query(ctx, &dynamodb.QueryInput{TableName: table,
		KeyConditions: map[string]types.Condition{"user": {ComparisonOperator: types.ComparisonOperatorEq, AttributeValueList: []types.AttributeValue{s("u2")}},
			"n": {ComparisonOperator: types.ComparisonOperatorGe, AttributeValueList: []types.AttributeValue{n("2")}}},
		QueryFilter: map[string]types.Condition{"state": {ComparisonOperator: types.ComparisonOperatorNe, AttributeValueList: []types.AttributeValue{s("c")}}}})
	if err != nil || q.Count != 1 || q.ScannedCount != 2 || q.Items[0]["state"].(*types.AttributeValueMemberS).Value != "b" {
		t.Errorf("KeyConditions + QueryFilter: %v %+v", err, q)
	}
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: table, ConditionalOperator: types.ConditionalOperatorOr,
		ScanFilter: map[string]types.Condition{"state": {ComparisonOperator: types.ComparisonOperatorIn, AttributeValueList: []types.AttributeValue{s("a"), s("paid")}},
			"qty": {ComparisonOperator: types.ComparisonOperatorNotNull}}})
	if err != nil || sc.Count != 2 {
		t.Errorf("ScanFilter OR: %v %d", err, sc.Count)
	}
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: key, AttributesToGet: []string{"qty"}, ProjectionExpression: aws.String("qty")})
	wantAPIError(t, "mixed", err, "ValidationException", "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {AttributesToGet} Expression parameters: {ProjectionExpression}")
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: table,
		KeyConditions: map[string]types.Condition{"user": {ComparisonOperator: types.ComparisonOperatorBetween, AttributeValueList: []types.AttributeValue{s("a")}}}})
	wantAPIError(t, "argument count", err, "ValidationException", "Invalid number of argument(s) for the BETWEEN ComparisonOperator")
}
