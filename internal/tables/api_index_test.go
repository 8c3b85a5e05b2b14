package tables_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// TestTables_IndexQueries queries a GSI (sparse, INCLUDE projection, keys
// not unique) and an LSI (ALL), pages through the GSI, and scans it.
func TestTables_IndexQueries(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	str := types.ScalarAttributeTypeS
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String("payments"), BillingMode: types.BillingModePayPerRequest,
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("user"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("id"), KeyType: types.KeyTypeRange}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("user"), AttributeType: str}, {AttributeName: aws.String("id"), AttributeType: str},
			{AttributeName: aws.String("status"), AttributeType: str}, {AttributeName: aws.String("amount"), AttributeType: types.ScalarAttributeTypeN}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("byStatus"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("status"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("amount"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"note"}}}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndex{{IndexName: aws.String("byAmount"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("user"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("amount"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	put := func(user, id, status, amount string) {
		it := map[string]types.AttributeValue{"user": s(user), "id": s(id), "amount": n(amount), "note": s("n-" + id), "secret": s("x")}
		if status != "" {
			it["status"] = s(status)
		}
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("payments"), Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	put("ada", "p1", "PAID", "30")
	put("ada", "p2", "PENDING", "10")
	put("ada", "p3", "PAID", "20")
	put("bob", "p4", "PAID", "20")
	put("bob", "p5", "", "5") // not in the sparse GSI
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("payments"), Item: map[string]types.AttributeValue{"user": s("x"), "id": s("y"), "status": n("1")}})
	wantAPIError(t, "index key type", err, "ValidationException", "Type mismatch for Index Key status Expected: S Actual: N IndexName: byStatus")

	ids := func(items []map[string]types.AttributeValue) string {
		var out []string
		for _, it := range items {
			out = append(out, it["id"].(*types.AttributeValueMemberS).Value)
		}
		return strings.Join(out, ",")
	}
	paid := map[string]types.AttributeValue{":s": s("PAID")}
	out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("payments"), IndexName: aws.String("byStatus"),
		KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: paid})
	if err != nil {
		t.Fatal(err)
	}
	// amount 20 twice: the table key orders them (ada/p3 before bob/p4).
	if got := ids(out.Items); got != "p3,p4,p1" {
		t.Errorf("GSI query: %s", got)
	}
	if it := out.Items[0]; it["note"] == nil || it["secret"] != nil || len(it) != 5 {
		t.Errorf("INCLUDE projection: %v", it)
	}
	var paged []string
	var start map[string]types.AttributeValue
	for range 5 {
		page, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("payments"), IndexName: aws.String("byStatus"), Limit: aws.Int32(2), ExclusiveStartKey: start,
			KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: paid, ScanIndexForward: aws.Bool(false)})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, ids(page.Items))
		if start = page.LastEvaluatedKey; start == nil {
			break
		}
		if start["status"] == nil || start["amount"] == nil || start["user"] == nil || start["id"] == nil {
			t.Errorf("an index's LastEvaluatedKey holds the table's and the index's keys: %v", start)
		}
	}
	if got := strings.Join(paged, "|"); got != "p1,p4|p3" {
		t.Errorf("paged backwards: %s", got)
	}
	lsi, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("payments"), IndexName: aws.String("byAmount"),
		KeyConditionExpression: aws.String("#u = :u AND amount >= :a"), ExpressionAttributeNames: map[string]string{"#u": "user"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": s("ada"), ":a": n("15")}, ConsistentRead: aws.Bool(true)})
	if err != nil || ids(lsi.Items) != "p3,p1" || lsi.Items[0]["secret"] == nil {
		t.Errorf("LSI query: %v %s", err, ids(lsi.Items))
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("payments"), IndexName: aws.String("byStatus"), ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: paid})
	wantAPIError(t, "consistent GSI read", err, "ValidationException", "Consistent reads are not supported on global secondary indexes")
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("payments"), IndexName: aws.String("nope"),
		KeyConditionExpression: aws.String("#s = :s"), ExpressionAttributeNames: map[string]string{"#s": "status"}, ExpressionAttributeValues: paid})
	wantAPIError(t, "unknown index", err, "ValidationException", "The table does not have the specified index: nope")
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String("payments"), IndexName: aws.String("byStatus")})
	if err != nil || sc.Count != 4 {
		t.Errorf("scan of the sparse GSI: %v %d items, want 4", err, sc.Count)
	}
}
