package topics

// The wire shapes of the SNS API (query protocol): field names are the
// form parameters, xml tags the reply elements.

type tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func tagMap(tags []tag) map[string]string {
	if len(tags) == 0 {
		return nil
	}
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// entry is an XML map entry (<entry><key/><value/></entry>).
type entry struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

type attributesOut struct {
	Attributes []entry `xml:"Attributes>entry"`
}

type topicIn struct{ TopicArn string }

type createTopicIn struct {
	Name                 string
	Attributes           map[string]string
	Tags                 []tag
	DataProtectionPolicy string
}

type topicArnOut struct {
	TopicArn string `xml:"TopicArn"`
}

type listIn struct{ NextToken string }

type topicMember struct {
	TopicArn string `xml:"TopicArn"`
}

type listTopicsOut struct {
	Topics    []topicMember `xml:"Topics>member"`
	NextToken string        `xml:"NextToken,omitempty"`
}

type setAttributeIn struct {
	TopicArn        string
	SubscriptionArn string
	AttributeName   string
	AttributeValue  string
}

type subscribeIn struct {
	TopicArn              string
	Protocol              string
	Endpoint              string
	Attributes            map[string]string
	ReturnSubscriptionArn bool
}

type subscriptionArnOut struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
}

type confirmIn struct {
	TopicArn                  string
	Token                     string
	AuthenticateOnUnsubscribe string
}

type subscriptionIn struct{ SubscriptionArn string }

type subscriptionMember struct {
	SubscriptionArn string `xml:"SubscriptionArn"`
	Owner           string `xml:"Owner"`
	Protocol        string `xml:"Protocol"`
	Endpoint        string `xml:"Endpoint"`
	TopicArn        string `xml:"TopicArn"`
}

type listSubscriptionsIn struct {
	TopicArn  string
	NextToken string
}

type listSubscriptionsOut struct {
	Subscriptions []subscriptionMember `xml:"Subscriptions>member"`
	NextToken     string               `xml:"NextToken,omitempty"`
}

// wireAttribute is a message attribute as the form carries it
// (BinaryValue base64).
type wireAttribute struct {
	DataType    string
	StringValue string
	BinaryValue string
}

type publishIn struct {
	TopicArn               string
	TargetArn              string
	PhoneNumber            string
	Message                string
	Subject                string
	MessageStructure       string
	MessageAttributes      map[string]wireAttribute `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationId string
	MessageGroupId         string
}

type publishOut struct {
	MessageId      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

type batchEntry struct {
	Id                     string
	Message                string
	Subject                string
	MessageStructure       string
	MessageAttributes      map[string]wireAttribute `query:"MessageAttributes,key=Name,value=Value"`
	MessageDeduplicationId string
	MessageGroupId         string
}

type publishBatchIn struct {
	TopicArn                   string
	PublishBatchRequestEntries []batchEntry
}

type batchSuccess struct {
	Id             string `xml:"Id"`
	MessageId      string `xml:"MessageId"`
	SequenceNumber string `xml:"SequenceNumber,omitempty"`
}

type batchFailure struct {
	Id          string `xml:"Id"`
	Code        string `xml:"Code"`
	Message     string `xml:"Message"`
	SenderFault bool   `xml:"SenderFault"`
}

type publishBatchOut struct {
	Successful []batchSuccess `xml:"Successful>member"`
	Failed     []batchFailure `xml:"Failed>member"`
}

type tagResourceIn struct {
	ResourceArn string
	Tags        []tag
}

type untagResourceIn struct {
	ResourceArn string
	TagKeys     []string
}

type resourceIn struct{ ResourceArn string }

type listTagsOut struct {
	Tags []tag `xml:"Tags>member"`
}

// emptyResult is a reply with an empty result element, which the SDK's
// deserializer of TagResource and UntagResource expects.
type emptyResult struct{}
