package tables_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestTables_TransactGetItems reads items of a table in one call, in the
// request's order, with projections and a missing item, and refuses two
// reads of one item.
func TestTables_TransactGetItems(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	createOrders(t, c)
	for _, k := range []string{"1", "2"} {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"user": s("u"), "n": n(k), "v": s("v" + k), "w": s("w")}}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(k string, proj *string) types.TransactGetItem {
		return types.TransactGetItem{Get: &types.Get{TableName: aws.String("orders"), Key: map[string]types.AttributeValue{"user": s("u"), "n": n(k)}, ProjectionExpression: proj}}
	}
	out, err := c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{get("2", aws.String("v")), get("3", nil), get("1", nil)}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Responses) != 3 || len(out.Responses[0].Item) != 1 || out.Responses[0].Item["v"].(*types.AttributeValueMemberS).Value != "v2" ||
		out.Responses[1].Item != nil || len(out.Responses[2].Item) != 4 {
		t.Errorf("responses: %+v", out.Responses)
	}
	_, err = c.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: []types.TransactGetItem{get("1", nil), get("1", nil)}})
	wantAPIError(t, "one item twice", err, "ValidationException", "Transaction request cannot include multiple operations on one item")
}
