package tables

import (
	"context"
	"regexp"
	"sort"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

type createTableIn struct {
	TableName                 string                `json:"TableName"`
	KeySchema                 []KeyElement          `json:"KeySchema"`
	AttributeDefinitions      []AttributeDefinition `json:"AttributeDefinitions"`
	BillingMode               string                `json:"BillingMode"`
	ProvisionedThroughput     *Throughput           `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexes    []Index               `json:"GlobalSecondaryIndexes"`
	LocalSecondaryIndexes     []Index               `json:"LocalSecondaryIndexes"`
	StreamSpecification       *StreamSpec           `json:"StreamSpecification"`
	SSESpecification          map[string]any        `json:"SSESpecification"`
	Tags                      []tag                 `json:"Tags"`
	TableClass                string                `json:"TableClass"`
	DeletionProtectionEnabled bool                  `json:"DeletionProtectionEnabled"`
}

type tableOut struct {
	TableDescription *tableDescription `json:"TableDescription"`
}

type describeOut struct {
	Table *tableDescription `json:"Table"`
}

type tableNameIn struct {
	TableName string `json:"TableName"`
}

type throughputOut struct {
	ReadCapacityUnits      int64 `json:"ReadCapacityUnits"`
	WriteCapacityUnits     int64 `json:"WriteCapacityUnits"`
	NumberOfDecreasesToday int64 `json:"NumberOfDecreasesToday"`
}

type indexOut struct {
	IndexName             string         `json:"IndexName"`
	IndexArn              string         `json:"IndexArn"`
	KeySchema             []KeyElement   `json:"KeySchema"`
	Projection            Projection     `json:"Projection"`
	IndexStatus           string         `json:"IndexStatus,omitempty"`
	ItemCount             int64          `json:"ItemCount"`
	IndexSizeBytes        int64          `json:"IndexSizeBytes"`
	ProvisionedThroughput *throughputOut `json:"ProvisionedThroughput,omitempty"`
}

type tableDescription struct {
	TableName                 string                `json:"TableName"`
	TableArn                  string                `json:"TableArn"`
	TableId                   string                `json:"TableId"`
	TableStatus               string                `json:"TableStatus"`
	CreationDateTime          float64               `json:"CreationDateTime"`
	KeySchema                 []KeyElement          `json:"KeySchema"`
	AttributeDefinitions      []AttributeDefinition `json:"AttributeDefinitions"`
	ItemCount                 int64                 `json:"ItemCount"`
	TableSizeBytes            int64                 `json:"TableSizeBytes"`
	ProvisionedThroughput     throughputOut         `json:"ProvisionedThroughput"`
	BillingModeSummary        *billingSummary       `json:"BillingModeSummary,omitempty"`
	GlobalSecondaryIndexes    []indexOut            `json:"GlobalSecondaryIndexes,omitempty"`
	LocalSecondaryIndexes     []indexOut            `json:"LocalSecondaryIndexes,omitempty"`
	StreamSpecification       *StreamSpec           `json:"StreamSpecification,omitempty"`
	LatestStreamArn           string                `json:"LatestStreamArn,omitempty"`
	LatestStreamLabel         string                `json:"LatestStreamLabel,omitempty"`
	DeletionProtectionEnabled bool                  `json:"DeletionProtectionEnabled"`
}

type billingSummary struct {
	BillingMode string `json:"BillingMode"`
}

// StreamARN is a table's latest stream ARN ("" without a stream).
func (s *Store) StreamARN(t *Table) string {
	if t.StreamLabel == "" {
		return ""
	}
	return s.ARN(t.Name) + "/stream/" + t.StreamLabel
}

func (s *Store) describe(ctx context.Context, t *Table, status string, withCount bool) *tableDescription {
	d := &tableDescription{
		TableName: t.Name, TableArn: s.ARN(t.Name), TableId: t.ID, TableStatus: status,
		CreationDateTime: float64(t.Created.UnixMilli()) / 1000, KeySchema: t.KeySchema, AttributeDefinitions: t.Attributes,
		StreamSpecification: t.Stream, LatestStreamArn: s.StreamARN(t), LatestStreamLabel: t.StreamLabel,
		DeletionProtectionEnabled: t.DeletionProtection,
	}
	if t.Throughput != nil {
		d.ProvisionedThroughput = throughputOut{ReadCapacityUnits: t.Throughput.ReadCapacityUnits, WriteCapacityUnits: t.Throughput.WriteCapacityUnits}
	}
	if t.BillingMode == "PAY_PER_REQUEST" {
		d.BillingModeSummary = &billingSummary{BillingMode: t.BillingMode}
	}
	if withCount {
		if kv, err := s.itemsOf(ctx, t, false); err == nil {
			d.ItemCount, _ = s.count(ctx, kv)
		}
	}
	index := func(ix Index, kind string) indexOut {
		o := indexOut{IndexName: ix.IndexName, IndexArn: s.ARN(t.Name) + "/index/" + ix.IndexName, KeySchema: ix.KeySchema, Projection: ix.Projection}
		if kind == "gsi" {
			o.IndexStatus = "ACTIVE"
			o.ProvisionedThroughput = &throughputOut{}
			if ix.ProvisionedThroughput != nil {
				o.ProvisionedThroughput.ReadCapacityUnits, o.ProvisionedThroughput.WriteCapacityUnits = ix.ProvisionedThroughput.ReadCapacityUnits, ix.ProvisionedThroughput.WriteCapacityUnits
			}
		}
		return o
	}
	for _, ix := range t.GSIs {
		d.GlobalSecondaryIndexes = append(d.GlobalSecondaryIndexes, index(ix, "gsi"))
	}
	for _, ix := range t.LSIs {
		d.LocalSecondaryIndexes = append(d.LocalSecondaryIndexes, index(ix, "lsi"))
	}
	return d
}

var tableNameRE = regexp.MustCompile(`^[a-zA-Z0-9_.-]+$`)

func checkTableName(field, name string) error {
	switch {
	case len(name) < 3:
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length greater than or equal to 3", name, field)
	case len(name) > 255:
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must have length less than or equal to 255", name, field)
	case !tableNameRE.MatchString(name):
		return validation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+", name, field)
	}
	return nil
}

// checkKeySchema validates a table's or index's key schema against the
// attribute definitions.
func checkKeySchema(ks []KeyElement, defs map[string]string, what string) error {
	if len(ks) == 0 || len(ks) > 2 {
		return validation("1 validation error detected: Value '%v' at '%s' failed to satisfy constraint: Member must have length less than or equal to 2", ks, what)
	}
	if ks[0].KeyType != "HASH" {
		return validation("Invalid KeySchema: The first KeySchemaElement is not a HASH key type")
	}
	if len(ks) == 2 {
		if ks[1].KeyType != "RANGE" {
			return validation("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type")
		}
		if ks[0].AttributeName == ks[1].AttributeName {
			return validation("Both the Hash Key and the Range Key element in the KeySchema have the same name")
		}
	}
	var names []string
	for _, k := range ks {
		names = append(names, k.AttributeName)
	}
	for _, k := range ks {
		if _, ok := defs[k.AttributeName]; !ok {
			var d []string
			for n := range defs {
				d = append(d, n)
			}
			sort.Strings(d)
			return validation("One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [%s], AttributeDefinitions: [%s]", strings.Join(names, ", "), strings.Join(d, ", "))
		}
	}
	return nil
}

func (s *Store) createTable(c *awsapi.Call, in *createTableIn) (tableOut, error) {
	t, err := s.createFrom(c.Context(), in)
	if err != nil {
		return tableOut{}, err
	}
	return tableOut{TableDescription: s.describe(c.Context(), t, "ACTIVE", false)}, nil
}

// createFrom checks a CreateTable request as DynamoDB does and creates the table.
func (s *Store) createFrom(ctx context.Context, in *createTableIn) (*Table, error) {
	if err := checkTableName("tableName", in.TableName); err != nil {
		return nil, err
	}
	defs := map[string]string{}
	for _, a := range in.AttributeDefinitions {
		switch a.AttributeType {
		case "S", "N", "B":
		default:
			return nil, validation("1 validation error detected: Value '%s' at 'attributeDefinitions.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]", a.AttributeType)
		}
		if _, dup := defs[a.AttributeName]; dup {
			return nil, validation("Cannot have two attributes with the same name: %s", a.AttributeName)
		}
		defs[a.AttributeName] = a.AttributeType
	}
	if err := checkKeySchema(in.KeySchema, defs, "keySchema"); err != nil {
		return nil, err
	}
	used := map[string]bool{}
	for _, k := range in.KeySchema {
		used[k.AttributeName] = true
	}
	for _, ixs := range [][]Index{in.GlobalSecondaryIndexes, in.LocalSecondaryIndexes} {
		for _, ix := range ixs {
			if err := checkKeySchema(ix.KeySchema, defs, "index keySchema"); err != nil {
				return nil, err
			}
			for _, k := range ix.KeySchema {
				used[k.AttributeName] = true
			}
		}
	}
	for _, ix := range in.LocalSecondaryIndexes {
		if ix.KeySchema[0].AttributeName != in.KeySchema[0].AttributeName {
			return nil, validation("One or more parameter values were invalid: Index KeySchema does not have the same leading hash key as table KeySchema for index: %s. index hash key: %s, table hash key: %s", ix.IndexName, ix.KeySchema[0].AttributeName, in.KeySchema[0].AttributeName)
		}
	}
	if len(used) != len(defs) {
		return nil, validation("One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions")
	}
	mode := in.BillingMode
	switch mode {
	case "", "PROVISIONED":
		mode = "PROVISIONED"
		if in.ProvisionedThroughput == nil {
			return nil, validation("One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED")
		}
	case "PAY_PER_REQUEST":
		if in.ProvisionedThroughput != nil {
			return nil, validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
		}
	default:
		return nil, validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", mode)
	}
	if in.StreamSpecification != nil && in.StreamSpecification.StreamEnabled {
		switch in.StreamSpecification.StreamViewType {
		case "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
		default:
			return nil, validation("One or more parameter values were invalid: StreamViewType must be specified when StreamEnabled is true")
		}
	}
	t := &Table{Name: in.TableName, KeySchema: in.KeySchema, Attributes: in.AttributeDefinitions, BillingMode: mode,
		Throughput: in.ProvisionedThroughput, GSIs: in.GlobalSecondaryIndexes, LSIs: in.LocalSecondaryIndexes,
		DeletionProtection: in.DeletionProtectionEnabled}
	if in.StreamSpecification != nil && in.StreamSpecification.StreamEnabled {
		t.Stream = in.StreamSpecification
		t.StreamLabel = s.opts.Now().UTC().Format("2006-01-02T15:04:05.000")
	}
	if len(in.Tags) > 0 {
		t.Tags = map[string]string{}
		for _, tg := range in.Tags {
			t.Tags[tg.Key] = tg.Value
		}
	}
	return s.Create(ctx, t)
}

func (s *Store) describeTable(c *awsapi.Call, in *tableNameIn) (describeOut, error) {
	t, err := s.TableNow(c.Context(), in.TableName)
	if err != nil {
		return describeOut{}, err
	}
	return describeOut{Table: s.describe(c.Context(), t, "ACTIVE", true)}, nil
}

func (s *Store) deleteTable(c *awsapi.Call, in *tableNameIn) (tableOut, error) {
	t, err := s.Delete(c.Context(), in.TableName)
	if err != nil {
		return tableOut{}, err
	}
	return tableOut{TableDescription: s.describe(c.Context(), t, "DELETING", false)}, nil
}

type listTablesIn struct {
	ExclusiveStartTableName string `json:"ExclusiveStartTableName"`
	Limit                   *int   `json:"Limit"`
}

type listTablesOut struct {
	TableNames             []string `json:"TableNames"`
	LastEvaluatedTableName string   `json:"LastEvaluatedTableName,omitempty"`
}

func (s *Store) listTables(c *awsapi.Call, in *listTablesIn) (listTablesOut, error) {
	limit := 100
	if in.Limit != nil {
		if *in.Limit < 1 || *in.Limit > 100 {
			return listTablesOut{}, validation("1 validation error detected: Value '%d' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100", *in.Limit)
		}
		limit = *in.Limit
	}
	names, err := s.Tables(c.Context())
	if err != nil {
		return listTablesOut{}, err
	}
	out := listTablesOut{TableNames: []string{}}
	for _, n := range names {
		if in.ExclusiveStartTableName != "" && n <= in.ExclusiveStartTableName {
			continue
		}
		if len(out.TableNames) == limit {
			out.LastEvaluatedTableName = out.TableNames[limit-1]
			break
		}
		out.TableNames = append(out.TableNames, n)
	}
	return out, nil
}

type ttlSpec struct {
	Enabled       bool   `json:"Enabled"`
	AttributeName string `json:"AttributeName"`
}

type updateTTLIn struct {
	TableName               string  `json:"TableName"`
	TimeToLiveSpecification ttlSpec `json:"TimeToLiveSpecification"`
}

type updateTTLOut struct {
	TimeToLiveSpecification ttlSpec `json:"TimeToLiveSpecification"`
}

func (s *Store) updateTTL(c *awsapi.Call, in *updateTTLIn) (updateTTLOut, error) {
	spec := in.TimeToLiveSpecification
	if spec.AttributeName == "" {
		return updateTTLOut{}, validation("1 validation error detected: Value null at 'timeToLiveSpecification.attributeName' failed to satisfy constraint: Member must not be null")
	}
	_, err := s.Update(c.Context(), in.TableName, func(t *Table) error {
		switch {
		case spec.Enabled && t.TTL != "":
			return validation("TimeToLive is already enabled")
		case !spec.Enabled && t.TTL == "":
			return validation("TimeToLive is already disabled")
		case spec.Enabled:
			t.TTL = spec.AttributeName
		default:
			t.TTL = ""
		}
		return nil
	})
	return updateTTLOut{TimeToLiveSpecification: spec}, err
}

type ttlDescription struct {
	TimeToLiveStatus string `json:"TimeToLiveStatus"`
	AttributeName    string `json:"AttributeName,omitempty"`
}

type describeTTLOut struct {
	TimeToLiveDescription ttlDescription `json:"TimeToLiveDescription"`
}

func (s *Store) describeTTL(c *awsapi.Call, in *tableNameIn) (describeTTLOut, error) {
	t, err := s.Table(c.Context(), in.TableName)
	if err != nil {
		return describeTTLOut{}, err
	}
	if t.TTL == "" {
		return describeTTLOut{TimeToLiveDescription: ttlDescription{TimeToLiveStatus: "DISABLED"}}, nil
	}
	return describeTTLOut{TimeToLiveDescription: ttlDescription{TimeToLiveStatus: "ENABLED", AttributeName: t.TTL}}, nil
}

// tableOfARN is the table an ARN names.
func (s *Store) tableOfARN(arn string) (string, error) {
	a, err := awsapi.ParseARN(arn)
	if err != nil || a.Service != "dynamodb" || !strings.HasPrefix(a.Resource, "table/") {
		return "", validation("Invalid TableArn: Invalid ResourceArn provided as input %s", arn)
	}
	name, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "table/"), "/")
	return name, nil
}

type tagResourceIn struct {
	ResourceArn string   `json:"ResourceArn"`
	Tags        []tag    `json:"Tags"`
	TagKeys     []string `json:"TagKeys"`
	NextToken   string   `json:"NextToken"`
}

type listTagsOut struct {
	Tags []tag `json:"Tags"`
}

func (s *Store) tagResource(c *awsapi.Call, in *tagResourceIn) (awsapi.None, error) {
	name, err := s.tableOfARN(in.ResourceArn)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = s.Update(c.Context(), name, func(t *Table) error {
		if t.Tags == nil {
			t.Tags = map[string]string{}
		}
		for _, tg := range in.Tags {
			t.Tags[tg.Key] = tg.Value
		}
		if len(t.Tags) > 50 {
			return validation("One or more parameter values were invalid: The number of tags exceeds the limit of 50")
		}
		return nil
	})
	return awsapi.None{}, err
}

func (s *Store) untagResource(c *awsapi.Call, in *tagResourceIn) (awsapi.None, error) {
	name, err := s.tableOfARN(in.ResourceArn)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = s.Update(c.Context(), name, func(t *Table) error {
		for _, k := range in.TagKeys {
			delete(t.Tags, k)
		}
		return nil
	})
	return awsapi.None{}, err
}

func (s *Store) listTags(c *awsapi.Call, in *tagResourceIn) (listTagsOut, error) {
	name, err := s.tableOfARN(in.ResourceArn)
	if err != nil {
		return listTagsOut{}, err
	}
	t, err := s.Table(c.Context(), name)
	if err != nil {
		return listTagsOut{}, err
	}
	out := listTagsOut{Tags: []tag{}}
	for k, v := range t.Tags {
		out.Tags = append(out.Tags, tag{k, v})
	}
	sort.Slice(out.Tags, func(i, j int) bool { return out.Tags[i].Key < out.Tags[j].Key })
	return out, nil
}
