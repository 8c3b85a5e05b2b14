package queues

// The wire shapes of the SQS API: encoding/json names for JSON 1.0, query
// tags for the form parameters, xml tags for the query protocol's replies.
// Where the two protocols shape a reply differently (a JSON map, an XML
// list of Name/Value pairs), a reply carries both and each encoder reads
// its own.

type queueURLIn struct {
	QueueUrl string
}

type queueURLOut struct {
	QueueUrl string `json:"QueueUrl" xml:"QueueUrl"`
}

type createQueueIn struct {
	QueueName  string
	Attributes map[string]string `query:"Attribute,flat,key=Name,value=Value"`
	Tags       map[string]string `json:"tags" query:"Tag,flat,key=Key,value=Value"`
}

type getQueueURLIn struct {
	QueueName              string
	QueueOwnerAWSAccountId string
}

type getAttributesIn struct {
	QueueUrl       string
	AttributeNames []string `query:"AttributeName,flat"`
}

// nameValue is an XML <Attribute><Name/><Value/></Attribute>.
type nameValue struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

type attributesOut struct {
	Attributes map[string]string `json:"Attributes,omitempty" xml:"-"`
	XML        []nameValue       `json:"-" xml:"Attribute"`
}

type setAttributesIn struct {
	QueueUrl   string
	Attributes map[string]string `query:"Attribute,flat,key=Name,value=Value"`
}

type listQueuesIn struct {
	QueueNamePrefix string
	NextToken       string
	MaxResults      *int
}

type listQueuesOut struct {
	QueueUrls []string `json:"QueueUrls,omitempty" xml:"QueueUrl"`
	NextToken string   `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

type deadLetterSourcesIn struct {
	QueueUrl   string
	NextToken  string
	MaxResults *int
}

type deadLetterSourcesOut struct {
	QueueUrls []string `json:"queueUrls" xml:"QueueUrl"`
	NextToken string   `json:"NextToken,omitempty" xml:"NextToken,omitempty"`
}

// wireAttribute is a message attribute on the wire; BinaryValue is base64
// in both protocols.
type wireAttribute struct {
	DataType    string `json:"DataType" xml:"DataType"`
	StringValue string `json:"StringValue,omitempty" xml:"StringValue,omitempty"`
	BinaryValue []byte `json:"BinaryValue,omitempty" xml:"-" query:"-"`
	// BinaryBase64 is the query protocol's BinaryValue (parameter and
	// reply element).
	BinaryBase64 string `json:"-" xml:"BinaryValue,omitempty" query:"BinaryValue"`
}

type sendMessageIn struct {
	QueueUrl                string
	MessageBody             string
	DelaySeconds            *int64
	MessageAttributes       map[string]wireAttribute `query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]wireAttribute `query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationId  string
	MessageGroupId          string
}

type sendMessageOut struct {
	MD5OfMessageAttributes       string `json:"MD5OfMessageAttributes,omitempty" xml:"MD5OfMessageAttributes,omitempty"`
	MD5OfMessageBody             string `json:"MD5OfMessageBody" xml:"MD5OfMessageBody"`
	MD5OfMessageSystemAttributes string `json:"MD5OfMessageSystemAttributes,omitempty" xml:"MD5OfMessageSystemAttributes,omitempty"`
	MessageId                    string `json:"MessageId" xml:"MessageId"`
	SequenceNumber               string `json:"SequenceNumber,omitempty" xml:"SequenceNumber,omitempty"`
}

type sendBatchEntry struct {
	Id                      string
	MessageBody             string
	DelaySeconds            *int64
	MessageAttributes       map[string]wireAttribute `query:"MessageAttribute,flat,key=Name,value=Value"`
	MessageSystemAttributes map[string]wireAttribute `query:"MessageSystemAttribute,flat,key=Name,value=Value"`
	MessageDeduplicationId  string
	MessageGroupId          string
}

type sendBatchIn struct {
	QueueUrl string
	Entries  []sendBatchEntry `query:"SendMessageBatchRequestEntry,flat"`
}

type sendBatchResult struct {
	Id string `json:"Id" xml:"Id"`
	sendMessageOut
}

// batchError is a failed entry of a batch.
type batchError struct {
	Id          string `json:"Id" xml:"Id"`
	SenderFault bool   `json:"SenderFault" xml:"SenderFault"`
	Code        string `json:"Code" xml:"Code"`
	Message     string `json:"Message,omitempty" xml:"Message,omitempty"`
}

type sendBatchOut struct {
	Successful []sendBatchResult `json:"Successful" xml:"SendMessageBatchResultEntry"`
	Failed     []batchError      `json:"Failed" xml:"BatchResultErrorEntry"`
}

type receiveIn struct {
	QueueUrl                    string
	AttributeNames              []string `query:"AttributeName,flat"`
	MessageSystemAttributeNames []string `query:"MessageSystemAttributeName,flat"`
	MessageAttributeNames       []string `query:"MessageAttributeName,flat"`
	MaxNumberOfMessages         *int
	VisibilityTimeout           *int64
	WaitTimeSeconds             *int64
	ReceiveRequestAttemptId     string
}

// xmlMessageAttribute is <MessageAttribute><Name/><Value>...</Value></MessageAttribute>.
type xmlMessageAttribute struct {
	Name  string        `xml:"Name"`
	Value wireAttribute `xml:"Value"`
}

type wireMessage struct {
	MessageId              string                   `json:"MessageId" xml:"MessageId"`
	ReceiptHandle          string                   `json:"ReceiptHandle" xml:"ReceiptHandle"`
	MD5OfBody              string                   `json:"MD5OfBody" xml:"MD5OfBody"`
	Body                   string                   `json:"Body" xml:"Body"`
	Attributes             map[string]string        `json:"Attributes,omitempty" xml:"-"`
	XMLAttributes          []nameValue              `json:"-" xml:"Attribute"`
	MD5OfMessageAttributes string                   `json:"MD5OfMessageAttributes,omitempty" xml:"MD5OfMessageAttributes,omitempty"`
	MessageAttributes      map[string]wireAttribute `json:"MessageAttributes,omitempty" xml:"-"`
	XMLMessageAttributes   []xmlMessageAttribute    `json:"-" xml:"MessageAttribute"`
}

type receiveOut struct {
	Messages []wireMessage `json:"Messages,omitempty" xml:"Message"`
}

type receiptIn struct {
	QueueUrl      string
	ReceiptHandle string
}

type deleteBatchEntry struct {
	Id            string
	ReceiptHandle string
}

type deleteBatchIn struct {
	QueueUrl string
	Entries  []deleteBatchEntry `query:"DeleteMessageBatchRequestEntry,flat"`
}

type idResult struct {
	Id string `json:"Id" xml:"Id"`
}

type deleteBatchOut struct {
	Successful []idResult   `json:"Successful" xml:"DeleteMessageBatchResultEntry"`
	Failed     []batchError `json:"Failed" xml:"BatchResultErrorEntry"`
}

type visibilityIn struct {
	QueueUrl          string
	ReceiptHandle     string
	VisibilityTimeout *int64
}

type visibilityBatchEntry struct {
	Id                string
	ReceiptHandle     string
	VisibilityTimeout *int64
}

type visibilityBatchIn struct {
	QueueUrl string
	Entries  []visibilityBatchEntry `query:"ChangeMessageVisibilityBatchRequestEntry,flat"`
}

type visibilityBatchOut struct {
	Successful []idResult   `json:"Successful" xml:"ChangeMessageVisibilityBatchResultEntry"`
	Failed     []batchError `json:"Failed" xml:"BatchResultErrorEntry"`
}

type tagQueueIn struct {
	QueueUrl string
	Tags     map[string]string `query:"Tag,flat,key=Key,value=Value"`
}

type untagQueueIn struct {
	QueueUrl string
	TagKeys  []string `query:"TagKey,flat"`
}

type keyValue struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

type listTagsOut struct {
	Tags map[string]string `json:"Tags,omitempty" xml:"-"`
	XML  []keyValue        `json:"-" xml:"Tag"`
}

type addPermissionIn struct {
	QueueUrl      string
	Label         string
	AWSAccountIds []string `query:"AWSAccountId,flat"`
	Actions       []string `query:"ActionName,flat"`
}

type removePermissionIn struct {
	QueueUrl string
	Label    string
}
