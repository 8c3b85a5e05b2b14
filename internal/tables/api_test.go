package tables_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"

	"github.com/nubo-run/nubo/internal/platform"
)

func startPlatform(t *testing.T) (*platform.Platform, *dynamodb.Client) {
	t.Helper()
	p, err := platform.New(platform.Options{DataDir: t.TempDir(), Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = p.Close(ctx)
	})
	client := dynamodb.New(dynamodb.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String("http://" + p.EdgeAddr()),
		Credentials:  credentials.NewStaticCredentialsProvider(platform.DefaultAccessKey, platform.DefaultSecretKey, ""),
	})
	return p, client
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
func n(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }

// wantAPIError checks an error's code and that its message holds msg.
func wantAPIError(t *testing.T, what string, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) || ae.ErrorCode() != code || !strings.Contains(ae.ErrorMessage(), msg) {
		t.Errorf("%s: %v, want %s %q", what, err, code, msg)
	}
}

func createOrders(t *testing.T, c *dynamodb.Client) {
	t.Helper()
	out, err := c.CreateTable(context.Background(), &dynamodb.CreateTableInput{
		TableName: aws.String("orders"),
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("user"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("n"), KeyType: types.KeyTypeRange}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("user"), AttributeType: types.ScalarAttributeTypeS},
			{AttributeName: aws.String("n"), AttributeType: types.ScalarAttributeTypeN}},
		BillingMode: types.BillingModePayPerRequest,
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.TableDescription.TableStatus != types.TableStatusActive || aws.ToString(out.TableDescription.TableArn) != "arn:aws:dynamodb:us-east-1:000000000000:table/orders" {
		t.Errorf("create: %+v", out.TableDescription)
	}
}

func TestTables_TableLifecycle(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	createOrders(t, c)
	_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("orders"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest})
	var inUse *types.ResourceInUseException
	if !errors.As(err, &inUse) {
		t.Errorf("second create: %v, want ResourceInUseException", err)
	}
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("bad"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("other"), AttributeType: types.ScalarAttributeTypeS}},
		BillingMode:          types.BillingModePayPerRequest})
	wantAPIError(t, "undefined key", err, "ValidationException", "Some index key attributes are not defined in AttributeDefinitions. Keys: [id], AttributeDefinitions: [other]")
	_, err = c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("prov"),
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}}})
	wantAPIError(t, "provisioned without throughput", err, "ValidationException", "ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
	for i := range 3 {
		_, err := c.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(fmt.Sprintf("t%d.x", i)),
			KeySchema:             []types.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: types.KeyTypeHash}},
			AttributeDefinitions:  []types.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: types.ScalarAttributeTypeS}},
			ProvisionedThroughput: &types.ProvisionedThroughput{ReadCapacityUnits: aws.Int64(5), WriteCapacityUnits: aws.Int64(5)},
			StreamSpecification:   &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewAndOldImages},
			Tags:                  []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	pager := dynamodb.NewListTablesPaginator(c, &dynamodb.ListTablesInput{Limit: aws.Int32(2)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, page.TableNames...)
	}
	if strings.Join(names, ",") != "orders,t0.x,t1.x,t2.x" {
		t.Errorf("list: %v", names)
	}
	d, err := c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t1.x")})
	if err != nil {
		t.Fatal(err)
	}
	td := d.Table
	if aws.ToInt64(td.ProvisionedThroughput.ReadCapacityUnits) != 5 || td.StreamSpecification == nil || td.LatestStreamArn == nil ||
		len(td.KeySchema) != 1 || td.TableStatus != types.TableStatusActive || aws.ToInt64(td.ItemCount) != 0 {
		t.Errorf("describe: %+v", td)
	}
	tags, err := c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: td.TableArn})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "team" {
		t.Errorf("tags: %v %+v", err, tags)
	}
	if _, err := c.TagResource(ctx, &dynamodb.TagResourceInput{ResourceArn: td.TableArn, Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UntagResource(ctx, &dynamodb.UntagResourceInput{ResourceArn: td.TableArn, TagKeys: []string{"team"}}); err != nil {
		t.Fatal(err)
	}
	tags, _ = c.ListTagsOfResource(ctx, &dynamodb.ListTagsOfResourceInput{ResourceArn: td.TableArn})
	if len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Errorf("tags after: %+v", tags.Tags)
	}
	if _, err := c.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{TableName: aws.String("orders"),
		TimeToLiveSpecification: &types.TimeToLiveSpecification{Enabled: aws.Bool(true), AttributeName: aws.String("expires")}}); err != nil {
		t.Fatal(err)
	}
	ttl, err := c.DescribeTimeToLive(ctx, &dynamodb.DescribeTimeToLiveInput{TableName: aws.String("orders")})
	if err != nil || ttl.TimeToLiveDescription.TimeToLiveStatus != types.TimeToLiveStatusEnabled || aws.ToString(ttl.TimeToLiveDescription.AttributeName) != "expires" {
		t.Errorf("ttl: %v %+v", err, ttl)
	}
	del, err := c.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("t1.x")})
	if err != nil || del.TableDescription.TableStatus != types.TableStatusDeleting {
		t.Fatalf("delete: %v", err)
	}
	_, err = c.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("t1.x")})
	var nf *types.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("describe deleted: %v", err)
	}
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("t1.x"), Key: map[string]types.AttributeValue{"id": s("a")}})
	if !errors.As(err, &nf) {
		t.Errorf("get from deleted: %v", err)
	}
}

func TestTables_Items(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	createOrders(t, c)
	table := aws.String("orders")
	item := map[string]types.AttributeValue{"user": s("u1"), "n": n("1"), "total": n("10.50"), "tags": &types.AttributeValueMemberSS{Value: []string{"a", "b"}},
		"addr": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"city": s("Paris"), "zip": s("75001")}}}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item}); err != nil {
		t.Fatal(err)
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1"), "n": n("1")}, ConsistentRead: aws.Bool(true)})
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Item["total"].(*types.AttributeValueMemberN).Value; v != "10.5" {
		t.Errorf("total %s, want the normalised 10.5", v)
	}
	got, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1"), "n": n("1")},
		ProjectionExpression: aws.String("#a.city, total"), ExpressionAttributeNames: map[string]string{"#a": "addr"}})
	if err != nil || len(got.Item) != 2 || len(got.Item["addr"].(*types.AttributeValueMemberM).Value) != 1 {
		t.Errorf("projection: %v %+v", err, got)
	}
	missing, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1"), "n": n("2")}})
	if err != nil || missing.Item != nil {
		t.Errorf("missing item: %v %+v", err, missing.Item)
	}

	// Validation messages clients rely on.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"user": s("u1")}})
	wantAPIError(t, "missing key", err, "ValidationException", "One or more parameter values were invalid: Missing the key n in the item")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"user": s("u1"), "n": s("x")}})
	wantAPIError(t, "type mismatch", err, "ValidationException", "One or more parameter values were invalid: Type mismatch for key n expected: N actual: S")
	_, err = c.GetItem(ctx, &dynamodb.GetItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1")}})
	wantAPIError(t, "partial key", err, "ValidationException", "The provided key element does not match the schema")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"user": s("u1"), "n": n("3"), "big": s(strings.Repeat("x", 400*1024))}})
	wantAPIError(t, "too big", err, "ValidationException", "Item size has exceeded the maximum allowed size")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: map[string]types.AttributeValue{"user": s("u1"), "n": n("1e200")}})
	wantAPIError(t, "overflow", err, "ValidationException", "Number overflow")
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item, ConditionExpression: aws.String("attribute_not_exists(#u)"),
		ExpressionAttributeNames: map[string]string{"#u": "user", "#x": "x"}})
	wantAPIError(t, "unused name", err, "ValidationException", "Value provided in ExpressionAttributeNames unused in expressions: keys: {#x}")

	// Conditions.
	_, err = c.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: item, ConditionExpression: aws.String("attribute_not_exists(#u)"),
		ExpressionAttributeNames: map[string]string{"#u": "user"}})
	var ccf *types.ConditionalCheckFailedException
	if !errors.As(err, &ccf) {
		t.Errorf("conditional put on an existing item: %v", err)
	}
	up, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1"), "n": n("1")},
		UpdateExpression:          aws.String("SET total = total + :d, addr.city = :c ADD tags :t REMOVE nothing"),
		ConditionExpression:       aws.String("total >= :min"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": n("0.25"), ":c": s("Lyon"), ":t": &types.AttributeValueMemberSS{Value: []string{"c"}}, ":min": n("10")},
		ReturnValues:              types.ReturnValueUpdatedNew})
	if err != nil {
		t.Fatal(err)
	}
	if up.Attributes["total"].(*types.AttributeValueMemberN).Value != "10.75" || len(up.Attributes["tags"].(*types.AttributeValueMemberSS).Value) != 3 {
		t.Errorf("updated new: %+v", up.Attributes)
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1"), "n": n("1")},
		UpdateExpression: aws.String("SET total = :z"), ConditionExpression: aws.String("total > :big"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":z": n("0"), ":big": n("1000")}})
	if !errors.As(err, &ccf) {
		t.Errorf("failed update condition: %v", err)
	}
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1"), "n": n("1")},
		UpdateExpression: aws.String("SET #u = :z"), ExpressionAttributeNames: map[string]string{"#u": "user"}, ExpressionAttributeValues: map[string]types.AttributeValue{":z": s("x")}})
	wantAPIError(t, "key update", err, "ValidationException", "Cannot update attribute user. This attribute is part of the key")
	_, err = c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u1"), "n": n("1")},
		UpdateExpression: aws.String("SET total = total +"), ExpressionAttributeValues: map[string]types.AttributeValue{":z": s("x")}})
	wantAPIError(t, "syntax", err, "ValidationException", "Invalid UpdateExpression: Syntax error; token: \"<EOF>\"")
	created, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u9"), "n": n("9")},
		UpdateExpression: aws.String("SET visits = if_not_exists(visits, :zero) + :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":zero": n("0"), ":one": n("1")},
		ReturnValues: types.ReturnValueAllNew})
	if err != nil || created.Attributes["visits"].(*types.AttributeValueMemberN).Value != "1" || len(created.Attributes) != 3 {
		t.Errorf("upsert: %v %+v", err, created)
	}
	old, err := c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u9"), "n": n("9")}, ReturnValues: types.ReturnValueAllOld})
	if err != nil || old.Attributes["visits"] == nil {
		t.Errorf("delete ALL_OLD: %v %+v", err, old)
	}
	_, err = c.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: table, Key: map[string]types.AttributeValue{"user": s("u9"), "n": n("9")},
		ConditionExpression: aws.String("attribute_exists(visits)")})
	if !errors.As(err, &ccf) {
		t.Errorf("conditional delete of a missing item: %v", err)
	}
}

func TestTables_QueryScanBatch(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	createOrders(t, c)
	table := aws.String("orders")
	nums := []string{"-5", "0", "0.5", "2", "10", "100", "-0.25", "3"}
	var writes []types.WriteRequest
	for _, v := range nums {
		writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"user": s("u1"), "n": n(v), "even": &types.AttributeValueMemberBOOL{Value: v == "2" || v == "10" || v == "100" || v == "0"}}}})
	}
	writes = append(writes, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{"user": s("u2"), "n": n("1")}}})
	bw, err := c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"orders": writes}})
	if err != nil || len(bw.UnprocessedItems) != 0 {
		t.Fatalf("batch write: %v %+v", err, bw)
	}
	query := func(in *dynamodb.QueryInput) []string {
		t.Helper()
		in.TableName = table
		out, err := c.Query(ctx, in)
		if err != nil {
			t.Fatalf("query %s: %v", aws.ToString(in.KeyConditionExpression), err)
		}
		var got []string
		for _, it := range out.Items {
			got = append(got, it["n"].(*types.AttributeValueMemberN).Value)
		}
		return got
	}
	u1 := map[string]types.AttributeValue{":u": s("u1")}
	if got := strings.Join(query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("#u = :u"), ExpressionAttributeNames: map[string]string{"#u": "user"}, ExpressionAttributeValues: u1}), " "); got != "-5 -0.25 0 0.5 2 3 10 100" {
		t.Errorf("query order: %s", got)
	}
	if got := strings.Join(query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("#u = :u"), ExpressionAttributeNames: map[string]string{"#u": "user"}, ExpressionAttributeValues: u1, ScanIndexForward: aws.Bool(false)}), " "); got != "100 10 3 2 0.5 0 -0.25 -5" {
		t.Errorf("query backwards: %s", got)
	}
	vals := map[string]types.AttributeValue{":u": s("u1"), ":lo": n("0"), ":hi": n("10"), ":t": &types.AttributeValueMemberBOOL{Value: true}}
	if got := strings.Join(query(&dynamodb.QueryInput{KeyConditionExpression: aws.String("#u = :u AND n BETWEEN :lo AND :hi"), FilterExpression: aws.String("even = :t"),
		ExpressionAttributeNames: map[string]string{"#u": "user"}, ExpressionAttributeValues: vals}), " "); got != "0 2 10" {
		t.Errorf("query between + filter: %s", got)
	}
	// Paging with Limit: every item once, in order.
	var pages []string
	var start map[string]types.AttributeValue
	for i := 0; i < 10; i++ {
		out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("#u = :u"), ExpressionAttributeNames: map[string]string{"#u": "user"},
			ExpressionAttributeValues: u1, Limit: aws.Int32(3), ExclusiveStartKey: start})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range out.Items {
			pages = append(pages, it["n"].(*types.AttributeValueMemberN).Value)
		}
		if out.LastEvaluatedKey == nil {
			break
		}
		start = out.LastEvaluatedKey
	}
	if strings.Join(pages, " ") != "-5 -0.25 0 0.5 2 3 10 100" {
		t.Errorf("paged query: %v", pages)
	}
	cnt, err := c.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("#u = :u AND n > :lo"), ExpressionAttributeNames: map[string]string{"#u": "user"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":u": s("u1"), ":lo": n("0")}, Select: types.SelectCount})
	if err != nil || cnt.Count != 5 || cnt.Items != nil {
		t.Errorf("count: %v %+v", err, cnt)
	}
	_, err = c.Query(ctx, &dynamodb.QueryInput{TableName: table, KeyConditionExpression: aws.String("n > :lo"), ExpressionAttributeValues: map[string]types.AttributeValue{":lo": n("0")}})
	wantAPIError(t, "no hash key", err, "ValidationException", "Query condition missed key schema element: user")

	total := 0
	for seg := range 3 {
		out, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: table, Segment: aws.Int32(int32(seg)), TotalSegments: aws.Int32(3)})
		if err != nil {
			t.Fatal(err)
		}
		total += int(out.Count)
	}
	if total != len(nums)+1 {
		t.Errorf("segments hold %d items, want %d", total, len(nums)+1)
	}
	sc, err := c.Scan(ctx, &dynamodb.ScanInput{TableName: table, FilterExpression: aws.String("even = :t"), ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}})
	if err != nil || sc.Count != 4 || sc.ScannedCount != int32(len(nums)+1) {
		t.Errorf("filtered scan: %v count %d scanned %d", err, sc.Count, sc.ScannedCount)
	}
	var scanned []string
	pager := dynamodb.NewScanPaginator(c, &dynamodb.ScanInput{TableName: table, Limit: aws.Int32(4)})
	for pager.HasMorePages() {
		page, err := pager.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			scanned = append(scanned, it["user"].(*types.AttributeValueMemberS).Value+"/"+it["n"].(*types.AttributeValueMemberN).Value)
		}
	}
	if len(scanned) != len(nums)+1 {
		t.Errorf("paged scan: %v", scanned)
	}

	bg, err := c.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"orders": {
		Keys:                 []map[string]types.AttributeValue{{"user": s("u1"), "n": n("2")}, {"user": s("u2"), "n": n("1")}, {"user": s("nobody"), "n": n("1")}},
		ProjectionExpression: aws.String("n")}}})
	if err != nil || len(bg.Responses["orders"]) != 2 || len(bg.Responses["orders"][0]) != 1 {
		t.Errorf("batch get: %v %+v", err, bg)
	}
	_, err = c.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"orders": {
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"user": s("u2"), "n": n("1")}}},
		{DeleteRequest: &types.DeleteRequest{Key: map[string]types.AttributeValue{"user": s("u2"), "n": n("1")}}}}}})
	wantAPIError(t, "duplicate keys", err, "ValidationException", "Provided list of item keys contains duplicates")
}

// TestTables_ConcurrentConditionalCounter: 16 writers incrementing one
// counter under a condition end at exactly the successful calls.
func TestTables_ConcurrentConditionalCounter(t *testing.T) {
	_, c := startPlatform(t)
	ctx := context.Background()
	createOrders(t, c)
	key := map[string]types.AttributeValue{"user": s("counter"), "n": n("0")}
	if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"user": s("counter"), "n": n("0"), "v": n("0")}}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 5
	errs := make(chan error, writers*each)
	for range writers {
		go func() {
			for range each {
				_, err := c.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("orders"), Key: key,
					UpdateExpression: aws.String("SET v = v + :one"), ConditionExpression: aws.String("v < :max"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1"), ":max": n("1000")}})
				errs <- err
			}
		}()
	}
	ok := 0
	for range writers * each {
		if err := <-errs; err == nil {
			ok++
		} else {
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "TransactionConflictException" {
				t.Errorf("update: %v", err)
			}
		}
	}
	got, err := c.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String("orders"), Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if v := got.Item["v"].(*types.AttributeValueMemberN).Value; v != fmt.Sprint(ok) {
		t.Errorf("counter %s after %d successful increments", v, ok)
	}
}

// TestTables_SurviveRestart: a table and its acknowledged items are there
// after nubo stops and starts again on the same data directory.
func TestTables_SurviveRestart(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	start := func() (*platform.Platform, *dynamodb.Client) {
		p, err := platform.New(platform.Options{DataDir: dir, Addr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return p, dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + p.EdgeAddr()),
			Credentials: credentials.NewStaticCredentialsProvider(platform.DefaultAccessKey, platform.DefaultSecretKey, "")})
	}
	p, c := start()
	createOrders(t, c)
	for i := range 20 {
		if _, err := c.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("orders"), Item: map[string]types.AttributeValue{"user": s("u1"), "n": n(fmt.Sprint(i))}}); err != nil {
			t.Fatal(err)
		}
	}
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.Close(cctx); err != nil {
		t.Fatal(err)
	}
	p, c = start()
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	out, err := c.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("orders"), KeyConditionExpression: aws.String("#u = :u"),
		ExpressionAttributeNames: map[string]string{"#u": "user"}, ExpressionAttributeValues: map[string]types.AttributeValue{":u": s("u1")}})
	if err != nil || out.Count != 20 {
		t.Fatalf("after a restart: %v, %d items, want 20", err, out.Count)
	}
}
