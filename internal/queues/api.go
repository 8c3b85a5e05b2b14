package queues

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/nubo-run/nubo/internal/awsapi"
)

// maxRequestBody bounds a request: ten messages of 256 KiB, their
// attributes, and the envelope (base64 of binary attributes included).
const maxRequestBody = 4 << 20

// API returns the SQS API for the edge: JSON 1.0 (X-Amz-Target
// AmazonSQS.*) and, on the same table, the query protocol (Action=...).
func (s *Service) API() (*awsapi.API, error) {
	q := s.queueTargets
	return awsapi.NewAPI(awsapi.Spec{
		Service:      "sqs",
		SDKID:        "sqs",
		Protocol:     awsapi.JSON,
		JSONVersion:  "1.0",
		TargetPrefix: "AmazonSQS",
		QueryVersion: "2012-11-05",
		XMLNamespace: "http://queue.amazonaws.com/doc/2012-11-05/",
		Authorizer:   s.opts.Authorizer,
		Logger:       s.log,
		MapError:     wireError,
		MaxBody:      maxRequestBody,
		Ops: append([]awsapi.Declared{
			awsapi.Op[createQueueIn, queueURLOut]{Name: "CreateQueue", Action: "sqs:CreateQueue",
				Resources: func(c *awsapi.Call, in *createQueueIn) ([]awsapi.Target, error) {
					return []awsapi.Target{{Resource: s.ARN(in.QueueName), RequestTags: in.Tags}}, nil
				},
				Handler: s.createQueue},
			awsapi.Op[getQueueURLIn, queueURLOut]{Name: "GetQueueUrl", Action: "sqs:GetQueueUrl",
				Resources: func(c *awsapi.Call, in *getQueueURLIn) ([]awsapi.Target, error) {
					return s.nameTargets(c.Context(), in.QueueName), nil
				},
				Handler: s.getQueueURL},
			awsapi.Op[getAttributesIn, attributesOut]{Name: "GetQueueAttributes", Action: "sqs:GetQueueAttributes",
				Resources: func(c *awsapi.Call, in *getAttributesIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.getAttributes},
			awsapi.Op[setAttributesIn, awsapi.None]{Name: "SetQueueAttributes", Action: "sqs:SetQueueAttributes",
				Resources: func(c *awsapi.Call, in *setAttributesIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.setAttributes},
			awsapi.Op[listQueuesIn, listQueuesOut]{Name: "ListQueues", Action: "sqs:ListQueues",
				Handler: s.listQueues},
			awsapi.Op[queueURLIn, awsapi.None]{Name: "DeleteQueue", Action: "sqs:DeleteQueue",
				Resources: func(c *awsapi.Call, in *queueURLIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler: func(c *awsapi.Call, in *queueURLIn) (awsapi.None, error) {
					name, err := s.nameOf(c, in.QueueUrl)
					if err != nil {
						return awsapi.None{}, err
					}
					return awsapi.None{}, s.Delete(c.Context(), name)
				}},
			awsapi.Op[queueURLIn, awsapi.None]{Name: "PurgeQueue", Action: "sqs:PurgeQueue",
				Resources: func(c *awsapi.Call, in *queueURLIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler: func(c *awsapi.Call, in *queueURLIn) (awsapi.None, error) {
					name, err := s.nameOf(c, in.QueueUrl)
					if err != nil {
						return awsapi.None{}, err
					}
					return awsapi.None{}, s.Purge(c.Context(), name)
				}},
			awsapi.Op[sendMessageIn, sendMessageOut]{Name: "SendMessage", Action: "sqs:SendMessage",
				Resources: func(c *awsapi.Call, in *sendMessageIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.sendMessage},
			awsapi.Op[sendBatchIn, sendBatchOut]{Name: "SendMessageBatch", Action: "sqs:SendMessage",
				Resources: func(c *awsapi.Call, in *sendBatchIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.sendMessageBatch},
			awsapi.Op[receiveIn, receiveOut]{Name: "ReceiveMessage", Action: "sqs:ReceiveMessage",
				Resources: func(c *awsapi.Call, in *receiveIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.receiveMessage},
			awsapi.Op[receiptIn, awsapi.None]{Name: "DeleteMessage", Action: "sqs:DeleteMessage",
				Resources: func(c *awsapi.Call, in *receiptIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.deleteMessageOp},
			awsapi.Op[deleteBatchIn, deleteBatchOut]{Name: "DeleteMessageBatch", Action: "sqs:DeleteMessage",
				Resources: func(c *awsapi.Call, in *deleteBatchIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.deleteMessageBatch},
			awsapi.Op[visibilityIn, awsapi.None]{Name: "ChangeMessageVisibility", Action: "sqs:ChangeMessageVisibility",
				Resources: func(c *awsapi.Call, in *visibilityIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.changeVisibilityOp},
			awsapi.Op[visibilityBatchIn, visibilityBatchOut]{Name: "ChangeMessageVisibilityBatch", Action: "sqs:ChangeMessageVisibility",
				Resources: func(c *awsapi.Call, in *visibilityBatchIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.changeVisibilityBatch},
			awsapi.Op[tagQueueIn, awsapi.None]{Name: "TagQueue", Action: "sqs:TagQueue",
				Resources: func(c *awsapi.Call, in *tagQueueIn) ([]awsapi.Target, error) {
					t, err := q(c, in.QueueUrl)
					for i := range t {
						t[i].RequestTags = in.Tags
					}
					return t, err
				},
				Handler: s.tagQueue},
			awsapi.Op[untagQueueIn, awsapi.None]{Name: "UntagQueue", Action: "sqs:UntagQueue",
				Resources: func(c *awsapi.Call, in *untagQueueIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.untagQueue},
			awsapi.Op[queueURLIn, listTagsOut]{Name: "ListQueueTags", Action: "sqs:ListQueueTags",
				Resources: func(c *awsapi.Call, in *queueURLIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.listQueueTags},
			awsapi.Op[addPermissionIn, awsapi.None]{Name: "AddPermission", Action: "sqs:AddPermission",
				Resources: func(c *awsapi.Call, in *addPermissionIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.addPermission},
			awsapi.Op[removePermissionIn, awsapi.None]{Name: "RemovePermission", Action: "sqs:RemovePermission",
				Resources: func(c *awsapi.Call, in *removePermissionIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.removePermission},
			awsapi.Op[deadLetterSourcesIn, deadLetterSourcesOut]{Name: "ListDeadLetterSourceQueues", Action: "sqs:ListDeadLetterSourceQueues",
				Resources: func(c *awsapi.Call, in *deadLetterSourcesIn) ([]awsapi.Target, error) { return q(c, in.QueueUrl) },
				Handler:   s.listDeadLetterSources},
		}, s.moveOps()...),
	})
}

// nameOf reads the queue name from a queue URL (http://HOST/ACCOUNT/NAME);
// a query request may instead be posted to the queue's URL.
func (s *Service) nameOf(c *awsapi.Call, queueURL string) (string, error) {
	path := queueURL
	if path == "" {
		if c.Form == nil || strings.Trim(c.R.URL.Path, "/") == "" {
			return "", missingParameter("QueueUrl")
		}
		path = c.R.URL.Path
	} else if strings.Contains(queueURL, "://") {
		u, err := url.Parse(queueURL)
		if err != nil {
			return "", invalidParameter("Value %s for parameter QueueUrl is invalid. Reason: not a URL.", queueURL)
		}
		path = u.Path
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	name := parts[len(parts)-1]
	if len(parts) >= 2 && parts[len(parts)-2] != s.opts.Account.ID {
		return "", fmt.Errorf("queue %q of account %s: %w", name, parts[len(parts)-2], ErrNotFound)
	}
	if name == "" {
		return "", invalidParameter("Value %s for parameter QueueUrl is invalid.", queueURL)
	}
	return name, nil
}

func (s *Service) queueOf(c *awsapi.Call, queueURL string) (*Queue, error) {
	name, err := s.nameOf(c, queueURL)
	if err != nil {
		return nil, err
	}
	return s.Get(c.Context(), name)
}

// queueTargets is the queue a request names, with its policy and tags.
func (s *Service) queueTargets(c *awsapi.Call, queueURL string) ([]awsapi.Target, error) {
	name, err := s.nameOf(c, queueURL)
	if err != nil {
		return []awsapi.Target{{Resource: "*"}}, nil
	}
	return s.nameTargets(c.Context(), name), nil
}

func (s *Service) nameTargets(ctx context.Context, name string) []awsapi.Target {
	t := awsapi.Target{Resource: s.ARN(name)}
	if q, err := s.Get(ctx, name); err == nil {
		t.ResourcePolicy = q.Attr(AttrPolicy)
		t.ResourceTags = q.Tags
	}
	return []awsapi.Target{t}
}

// URL is a queue's URL as a client that reached nubo at host sees it.
func (s *Service) URL(r *http.Request, name string) string {
	scheme := "http"
	if r != nil && r.TLS != nil {
		scheme = "https"
	}
	host := "localhost"
	if r != nil && r.Host != "" {
		host = r.Host
	}
	return scheme + "://" + host + "/" + s.opts.Account.ID + "/" + name
}

func (s *Service) createQueue(c *awsapi.Call, in *createQueueIn) (queueURLOut, error) {
	if in.QueueName == "" {
		return queueURLOut{}, missingParameter("QueueName")
	}
	q, err := s.Create(c.Context(), in.QueueName, in.Attributes, in.Tags)
	if err != nil {
		return queueURLOut{}, err
	}
	return queueURLOut{QueueUrl: s.URL(c.R, q.Name)}, nil
}

func (s *Service) getQueueURL(c *awsapi.Call, in *getQueueURLIn) (queueURLOut, error) {
	if in.QueueName == "" {
		return queueURLOut{}, missingParameter("QueueName")
	}
	if in.QueueOwnerAWSAccountId != "" && in.QueueOwnerAWSAccountId != s.opts.Account.ID {
		return queueURLOut{}, fmt.Errorf("queue %q: %w", in.QueueName, ErrNotFound)
	}
	q, err := s.Get(c.Context(), in.QueueName)
	if err != nil {
		return queueURLOut{}, err
	}
	return queueURLOut{QueueUrl: s.URL(c.R, q.Name)}, nil
}

func (s *Service) getAttributes(c *awsapi.Call, in *getAttributesIn) (attributesOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return attributesOut{}, err
	}
	attrs, err := s.attributes(c.Context(), q, in.AttributeNames)
	if err != nil {
		return attributesOut{}, err
	}
	out := attributesOut{Attributes: attrs}
	for _, n := range sortedKeys(attrs) {
		out.XML = append(out.XML, nameValue{Name: n, Value: attrs[n]})
	}
	return out, nil
}

func (s *Service) setAttributes(c *awsapi.Call, in *setAttributesIn) (awsapi.None, error) {
	name, err := s.nameOf(c, in.QueueUrl)
	if err != nil {
		return awsapi.None{}, err
	}
	_, err = s.SetAttributes(c.Context(), name, in.Attributes)
	return awsapi.None{}, err
}

func (s *Service) listQueues(c *awsapi.Call, in *listQueuesIn) (listQueuesOut, error) {
	qs, err := s.List(in.QueueNamePrefix)
	if err != nil {
		return listQueuesOut{}, err
	}
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return listQueuesOut{}, invalidParameter("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	urls := make([]string, len(qs))
	for i, q := range qs {
		urls[i] = s.URL(c.R, q.Name)
	}
	page, next, err := awsapi.Page(urls, in.NextToken, limit, 1000)
	if errors.Is(err, awsapi.ErrInvalidToken) {
		return listQueuesOut{}, invalidParameter("Invalid NextToken value.")
	}
	if err != nil {
		return listQueuesOut{}, err
	}
	if in.MaxResults == nil {
		next = "" // SQS pages only when MaxResults is given
	}
	return listQueuesOut{QueueUrls: page, NextToken: next}, nil
}

func (s *Service) listDeadLetterSources(c *awsapi.Call, in *deadLetterSourcesIn) (deadLetterSourcesOut, error) {
	q, err := s.queueOf(c, in.QueueUrl)
	if err != nil {
		return deadLetterSourcesOut{}, err
	}
	names, err := s.deadLetterSources(s.ARN(q.Name))
	if err != nil {
		return deadLetterSourcesOut{}, err
	}
	urls := make([]string, len(names))
	for i, n := range names {
		urls[i] = s.URL(c.R, n)
	}
	limit := 1000
	if in.MaxResults != nil {
		if *in.MaxResults < 1 || *in.MaxResults > 1000 {
			return deadLetterSourcesOut{}, invalidParameter("Value %d for parameter MaxResults is invalid. Reason: MaxResults must be an integer between 1 and 1000.", *in.MaxResults)
		}
		limit = *in.MaxResults
	}
	page, next, err := awsapi.Page(urls, in.NextToken, limit, 1000)
	if errors.Is(err, awsapi.ErrInvalidToken) {
		return deadLetterSourcesOut{}, invalidParameter("Invalid NextToken value.")
	}
	if page == nil {
		page = []string{}
	}
	return deadLetterSourcesOut{QueueUrls: page, NextToken: next}, err
}
