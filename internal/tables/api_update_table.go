package tables

import (
	"github.com/nubo-run/nubo/internal/awsapi"
)

type gsiUpdate struct {
	Create *Index `json:"Create"`
	Update *Index `json:"Update"`
	Delete *struct {
		IndexName string `json:"IndexName"`
	} `json:"Delete"`
}

type updateTableIn struct {
	TableName                   string                `json:"TableName"`
	AttributeDefinitions        []AttributeDefinition `json:"AttributeDefinitions"`
	BillingMode                 string                `json:"BillingMode"`
	ProvisionedThroughput       *Throughput           `json:"ProvisionedThroughput"`
	GlobalSecondaryIndexUpdates []gsiUpdate           `json:"GlobalSecondaryIndexUpdates"`
	StreamSpecification         *StreamSpec           `json:"StreamSpecification"`
	DeletionProtectionEnabled   *bool                 `json:"DeletionProtectionEnabled"`
	SSESpecification            map[string]any        `json:"SSESpecification"`
	TableClass                  string                `json:"TableClass"`
}

// updateTable changes billing, throughput, stream, deletion protection and
// GSIs. A new GSI is ACTIVE at once: index queries read the table
// (decision 009), so there is nothing to backfill.
func (s *Store) updateTable(c *awsapi.Call, in *updateTableIn) (tableOut, error) {
	if err := checkTableName("tableName", in.TableName); err != nil {
		return tableOut{}, err
	}
	t, err := s.Update(c.Context(), in.TableName, func(t *Table) error {
		defs := map[string]string{}
		for _, a := range t.Attributes {
			defs[a.AttributeName] = a.AttributeType
		}
		for _, a := range in.AttributeDefinitions {
			if old, ok := defs[a.AttributeName]; ok && old != a.AttributeType {
				return validation("Cannot change the type of an attribute used in a key schema: %s", a.AttributeName)
			}
			if _, ok := defs[a.AttributeName]; !ok {
				t.Attributes = append(t.Attributes, a)
				defs[a.AttributeName] = a.AttributeType
			}
		}
		switch in.BillingMode {
		case "":
		case "PROVISIONED":
			if in.ProvisionedThroughput == nil && t.Throughput == nil {
				return validation("One or more parameter values were invalid: ProvisionedThroughput must be specified when BillingMode is PROVISIONED")
			}
			t.BillingMode = in.BillingMode
		case "PAY_PER_REQUEST":
			t.BillingMode, t.Throughput = in.BillingMode, nil
		default:
			return validation("1 validation error detected: Value '%s' at 'billingMode' failed to satisfy constraint: Member must satisfy enum value set: [PROVISIONED, PAY_PER_REQUEST]", in.BillingMode)
		}
		if in.ProvisionedThroughput != nil {
			if t.BillingMode == "PAY_PER_REQUEST" {
				return validation("One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST")
			}
			t.Throughput = in.ProvisionedThroughput
		}
		if in.DeletionProtectionEnabled != nil {
			t.DeletionProtection = *in.DeletionProtectionEnabled
		}
		if sp := in.StreamSpecification; sp != nil {
			switch {
			case sp.StreamEnabled && t.Stream != nil:
				return validation("Table already has an enabled stream: %s", s.StreamARN(t))
			case sp.StreamEnabled:
				switch sp.StreamViewType {
				case "KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES":
				default:
					return validation("One or more parameter values were invalid: StreamViewType must be specified when StreamEnabled is true")
				}
				t.Stream = sp
				t.StreamLabel = s.opts.Now().UTC().Format("2006-01-02T15:04:05.000")
			case t.Stream == nil:
				return validation("Table already has a disabled stream")
			default:
				t.Stream, t.StreamLabel = nil, ""
			}
		}
		for _, u := range in.GlobalSecondaryIndexUpdates {
			if err := s.applyGSIUpdate(t, u, defs); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return tableOut{}, err
	}
	return tableOut{TableDescription: s.describe(c.Context(), t, "ACTIVE", false)}, nil
}

func (s *Store) applyGSIUpdate(t *Table, u gsiUpdate, defs map[string]string) error {
	find := func(name string) int {
		for i, ix := range t.GSIs {
			if ix.IndexName == name {
				return i
			}
		}
		return -1
	}
	switch {
	case u.Create != nil:
		if find(u.Create.IndexName) >= 0 {
			return validation("One or more parameter values were invalid: Index %s already exists", u.Create.IndexName)
		}
		if err := checkKeySchema(u.Create.KeySchema, defs, "globalSecondaryIndexUpdates.member.create.keySchema"); err != nil {
			return err
		}
		t.GSIs = append(t.GSIs, *u.Create)
	case u.Delete != nil:
		i := find(u.Delete.IndexName)
		if i < 0 {
			return awsapi.Errorf(400, "ResourceNotFoundException", "Requested resource not found: Index: %s not found", u.Delete.IndexName)
		}
		t.GSIs = append(t.GSIs[:i], t.GSIs[i+1:]...)
	case u.Update != nil:
		i := find(u.Update.IndexName)
		if i < 0 {
			return awsapi.Errorf(400, "ResourceNotFoundException", "Requested resource not found: Index: %s not found", u.Update.IndexName)
		}
		t.GSIs[i].ProvisionedThroughput = u.Update.ProvisionedThroughput
	default:
		return validation("One or more parameter values were invalid: One of Create, Update or Delete must be specified in a GlobalSecondaryIndexUpdate")
	}
	return nil
}

type describeLimitsOut struct {
	AccountMaxReadCapacityUnits  int64 `json:"AccountMaxReadCapacityUnits"`
	AccountMaxWriteCapacityUnits int64 `json:"AccountMaxWriteCapacityUnits"`
	TableMaxReadCapacityUnits    int64 `json:"TableMaxReadCapacityUnits"`
	TableMaxWriteCapacityUnits   int64 `json:"TableMaxWriteCapacityUnits"`
}

// describeLimits answers DynamoDB's default quotas (nubo enforces none).
func (s *Store) describeLimits(*awsapi.Call, *awsapi.None) (describeLimitsOut, error) {
	return describeLimitsOut{AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000,
		TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000}, nil
}

type endpoint struct {
	Address              string `json:"Address"`
	CachePeriodInMinutes int64  `json:"CachePeriodInMinutes"`
}

type describeEndpointsOut struct {
	Endpoints []endpoint `json:"Endpoints"`
}

// describeEndpoints names the endpoint the request came to (endpoint
// discovery keeps clients on nubo).
func (s *Store) describeEndpoints(c *awsapi.Call, _ *awsapi.None) (describeEndpointsOut, error) {
	return describeEndpointsOut{Endpoints: []endpoint{{Address: c.R.Host, CachePeriodInMinutes: 1440}}}, nil
}
