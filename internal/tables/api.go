package tables

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"

	"github.com/nubo-run/nubo/internal/awsapi"
	"github.com/nubo-run/nubo/internal/tables/attr"
	"github.com/nubo-run/nubo/internal/tables/expr"
)

// API returns the DynamoDB API (JSON 1.0, target prefix
// DynamoDB_20120810), each operation authorized as its dynamodb:* action
// on the tables it names.
func (s *Store) API() (*awsapi.API, error) {
	one := func(name string) []awsapi.Target { return []awsapi.Target{{Resource: s.ARN(name)}} }
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "dynamodb",
		SDKID:        "dynamodb",
		Protocol:     awsapi.JSON,
		JSONVersion:  "1.0",
		TargetPrefix: "DynamoDB_20120810",
		Authorizer:   s.opts.Authorizer,
		Logger:       s.log,
		MapError:     mapError,
		DecodeJSON:   decodeBody,
		Ops: []awsapi.Declared{
			awsapi.Op[createTableIn, tableOut]{Name: "CreateTable", Action: "dynamodb:CreateTable",
				Resources: func(c *awsapi.Call, in *createTableIn) ([]awsapi.Target, error) {
					t := one(in.TableName)
					if len(in.Tags) > 0 {
						t[0].RequestTags = map[string]string{}
						for _, tg := range in.Tags {
							t[0].RequestTags[tg.Key] = tg.Value
						}
					}
					return t, nil
				},
				Handler: s.createTable},
			awsapi.Op[tableNameIn, describeOut]{Name: "DescribeTable", Action: "dynamodb:DescribeTable",
				Resources: func(c *awsapi.Call, in *tableNameIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.describeTable},
			awsapi.Op[listTablesIn, listTablesOut]{Name: "ListTables", Action: "dynamodb:ListTables", Handler: s.listTables},
			awsapi.Op[updateTableIn, tableOut]{Name: "UpdateTable", Action: "dynamodb:UpdateTable",
				Resources: func(c *awsapi.Call, in *updateTableIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.updateTable},
			awsapi.Op[awsapi.None, describeLimitsOut]{Name: "DescribeLimits", Action: "dynamodb:DescribeLimits", Handler: s.describeLimits},
			awsapi.Op[awsapi.None, describeEndpointsOut]{Name: "DescribeEndpoints", Action: "dynamodb:DescribeEndpoints", Handler: s.describeEndpoints},
			awsapi.Op[tableNameIn, tableOut]{Name: "DeleteTable", Action: "dynamodb:DeleteTable",
				Resources: func(c *awsapi.Call, in *tableNameIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.deleteTable},
			awsapi.Op[putItemIn, attributesOut]{Name: "PutItem", Action: "dynamodb:PutItem",
				Resources: func(c *awsapi.Call, in *putItemIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.putItem},
			awsapi.Op[getItemIn, getItemOut]{Name: "GetItem", Action: "dynamodb:GetItem",
				Resources: func(c *awsapi.Call, in *getItemIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.getItem},
			awsapi.Op[updateItemIn, attributesOut]{Name: "UpdateItem", Action: "dynamodb:UpdateItem",
				Resources: func(c *awsapi.Call, in *updateItemIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.updateItem},
			awsapi.Op[deleteItemIn, attributesOut]{Name: "DeleteItem", Action: "dynamodb:DeleteItem",
				Resources: func(c *awsapi.Call, in *deleteItemIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.deleteItem},
			awsapi.Op[queryIn, pageOut]{Name: "Query", Action: "dynamodb:Query",
				Resources: func(c *awsapi.Call, in *queryIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.query},
			awsapi.Op[scanIn, pageOut]{Name: "Scan", Action: "dynamodb:Scan",
				Resources: func(c *awsapi.Call, in *scanIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.scan},
			awsapi.Op[batchGetIn, batchGetOut]{Name: "BatchGetItem", Action: "dynamodb:BatchGetItem",
				Resources: func(c *awsapi.Call, in *batchGetIn) ([]awsapi.Target, error) { return s.tableTargets(in.tables()), nil },
				Handler:   s.batchGet},
			awsapi.Op[batchWriteIn, batchWriteOut]{Name: "BatchWriteItem", Action: "dynamodb:BatchWriteItem",
				Resources: func(c *awsapi.Call, in *batchWriteIn) ([]awsapi.Target, error) {
					return s.tableTargets(in.tables()), nil
				},
				Handler: s.batchWrite},
			// Transactions are authorized as the item actions they perform, as on AWS.
			awsapi.Op[transactGetIn, transactGetOut]{Name: "TransactGetItems", Action: "dynamodb:GetItem",
				Resources: func(c *awsapi.Call, in *transactGetIn) ([]awsapi.Target, error) {
					return s.tableTargets(in.tables()), nil
				},
				Handler: s.transactGet},
			awsapi.Op[updateTTLIn, updateTTLOut]{Name: "UpdateTimeToLive", Action: "dynamodb:UpdateTimeToLive",
				Resources: func(c *awsapi.Call, in *updateTTLIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.updateTTL},
			awsapi.Op[tableNameIn, describeTTLOut]{Name: "DescribeTimeToLive", Action: "dynamodb:DescribeTimeToLive",
				Resources: func(c *awsapi.Call, in *tableNameIn) ([]awsapi.Target, error) { return one(in.TableName), nil },
				Handler:   s.describeTTL},
			awsapi.Op[tagResourceIn, awsapi.None]{Name: "TagResource", Action: "dynamodb:TagResource",
				Resources: func(c *awsapi.Call, in *tagResourceIn) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: in.ResourceArn}}, nil
				},
				Handler: s.tagResource},
			awsapi.Op[tagResourceIn, awsapi.None]{Name: "UntagResource", Action: "dynamodb:UntagResource",
				Resources: func(c *awsapi.Call, in *tagResourceIn) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: in.ResourceArn}}, nil
				},
				Handler: s.untagResource},
			awsapi.Op[tagResourceIn, listTagsOut]{Name: "ListTagsOfResource", Action: "dynamodb:ListTagsOfResource",
				Resources: func(c *awsapi.Call, in *tagResourceIn) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: in.ResourceArn}}, nil
				},
				Handler: s.listTags},
		},
	})
}

func (s *Store) tableTargets(names []string) []awsapi.Target {
	sort.Strings(names)
	out := make([]awsapi.Target, 0, len(names))
	for _, n := range names {
		out = append(out, awsapi.Target{Resource: s.ARN(n)})
	}
	return out
}

// decodeBody decodes a request; a bad attribute value is DynamoDB's
// ValidationException, other bad JSON a SerializationException.
func decodeBody(body []byte, v any) error {
	err := json.Unmarshal(body, v)
	if err == nil {
		return nil
	}
	var ve *attr.ValidationError
	if errors.As(err, &ve) {
		return awsapi.ValidationError("%s", ve.Msg)
	}
	return awsapi.NewError(http.StatusBadRequest, "SerializationException", err.Error())
}

// mapError writes expression and attribute errors as ValidationException.
func mapError(err error) error {
	var ee *expr.Error
	if errors.As(err, &ee) {
		return awsapi.ValidationError("%s", ee.Error())
	}
	var ve *attr.ValidationError
	if errors.As(err, &ve) {
		return awsapi.ValidationError("%s", ve.Msg)
	}
	return err
}
