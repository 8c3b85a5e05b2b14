package sam

var simpleTableProps = setOf("PointInTimeRecoverySpecification", "PrimaryKey", "ProvisionedThroughput",
	"TableName", "Tags", "SSESpecification")

// simpleTable expands an AWS::Serverless::SimpleTable into an AWS::DynamoDB::Table with a single
// hash key (default: "id" of type String), on-demand unless ProvisionedThroughput is given.
func (t *translator) simpleTable(id string, r map[string]any) error {
	p := props(r)
	if err := checkProps(id, typeSimpleTable, p, simpleTableProps); err != nil {
		return err
	}
	name, typ := any("id"), any("String")
	if pk, ok := p["PrimaryKey"]; ok {
		m, ok := pk.(map[string]any)
		if !ok {
			return resourceErr(id, "Property 'PrimaryKey' should be a map.")
		}
		if name, ok = m["Name"]; !ok {
			return resourceErr(id, "Property 'PrimaryKey.Name' is required.")
		}
		if typ, ok = m["Type"]; !ok {
			return resourceErr(id, "Property 'PrimaryKey.Type' is required.")
		}
	}
	attrType := typ
	if s, ok := typ.(string); ok {
		switch s {
		case "String":
			attrType = "S"
		case "Number":
			attrType = "N"
		case "Binary":
			attrType = "B"
		default:
			return resourceErr(id, "Invalid 'Type' \"%s\".", s)
		}
	}
	tp := map[string]any{
		"AttributeDefinitions": []any{map[string]any{"AttributeName": name, "AttributeType": attrType}},
		"KeySchema":            []any{map[string]any{"AttributeName": name, "KeyType": "HASH"}},
	}
	if v, ok := p["ProvisionedThroughput"]; ok {
		tp["ProvisionedThroughput"] = v
	} else {
		tp["BillingMode"] = "PAY_PER_REQUEST"
	}
	for _, k := range []string{"TableName", "SSESpecification", "PointInTimeRecoverySpecification"} {
		if v, ok := p[k]; ok {
			tp[k] = v
		}
	}
	if v, ok := p["Tags"]; ok {
		m, ok := v.(map[string]any)
		if !ok {
			return resourceErr(id, "Property 'Tags' should be a map.")
		}
		tp["Tags"] = plainTags(m)
	}
	res := resource("AWS::DynamoDB::Table", tp)
	passthrough(r, res)
	for _, k := range []string{"DependsOn", "Metadata"} {
		if v, ok := r[k]; ok {
			res[k] = v
		}
	}
	t.out[id] = res
	return nil
}
