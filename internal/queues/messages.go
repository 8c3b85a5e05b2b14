package queues

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Message headers.
const (
	hdrID     = "Sqs-Id"
	hdrSent   = "Sqs-Sent"
	hdrSender = "Sqs-Sender"
	hdrAttrs  = "Sqs-Attrs"
	hdrTrace  = "Sqs-Trace"
	hdrGroup  = "Sqs-Group"
	hdrDedup  = "Sqs-Dedup"
)

// Outgoing is a message to send.
type Outgoing struct {
	Body       string
	Attributes map[string]MessageAttribute
	// TraceHeader is the AWSTraceHeader system attribute.
	TraceHeader string
	// Delay is DelaySeconds; nil takes the queue's.
	Delay *int64
	// SenderID is the SenderId system attribute.
	SenderID string
	// GroupID and DeduplicationID are a FIFO queue's MessageGroupId and
	// MessageDeduplicationId.
	GroupID, DeduplicationID string
}

// Sent is a sent message's id and digests.
type Sent struct {
	MessageID        string
	BodyMD5          string
	AttributesMD5    string
	SystemAttributes string
	// SequenceNumber is a FIFO queue's sequence number of the message.
	SequenceNumber string
}

var attrNameRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,256}$`)

// validate checks a message against the queue's limits: body characters,
// attributes, size. It returns the message's size.
func (m *Outgoing) validate(q *Queue) error {
	if m.Body == "" {
		return fmt.Errorf("%w: The request must contain the parameter MessageBody.", ErrInvalid)
	}
	if err := checkChars(m.Body); err != nil {
		return err
	}
	if len(m.Attributes) > 10 {
		return fmt.Errorf("%w: Number of message attributes [%d] exceeds the allowed maximum [10].", ErrInvalid, len(m.Attributes))
	}
	size := len(m.Body)
	for name, a := range m.Attributes {
		if err := checkAttribute(name, a); err != nil {
			return err
		}
		size += len(name) + len(a.DataType) + len(a.StringValue) + len(a.BinaryValue)
	}
	if limit := q.intAttr(AttrMaximumMessageSize); int64(size) > limit {
		return fmt.Errorf("%w: One or more parameters are invalid. Reason: Message must be shorter than %d bytes.", ErrTooLong, limit)
	}
	if m.Delay != nil && (*m.Delay < 0 || *m.Delay > 900) {
		return fmt.Errorf("%w: Value %d for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.", ErrInvalid, *m.Delay)
	}
	return nil
}

// checkChars refuses characters SQS does not accept in a message: valid
// Unicode of #x9, #xA, #xD, #x20 to #xD7FF, #xE000 to #xFFFD, #x10000+.
func checkChars(s string) error {
	for i, r := range s {
		ok := r == 0x9 || r == 0xA || r == 0xD || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || r >= 0x10000
		if r == utf8.RuneError {
			if _, n := utf8.DecodeRuneInString(s[i:]); n <= 1 {
				ok = false
			}
		}
		if !ok {
			return fmt.Errorf("%w: Invalid binary character '#x%X' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF", ErrContents, r)
		}
	}
	return nil
}

func checkAttribute(name string, a MessageAttribute) error {
	lower := strings.ToLower(name)
	if !attrNameRE.MatchString(name) || strings.HasPrefix(name, ".") || strings.HasSuffix(name, ".") ||
		strings.Contains(name, "..") || strings.HasPrefix(lower, "aws.") || strings.HasPrefix(lower, "amazon.") {
		return fmt.Errorf("%w: Message attribute name '%s' is invalid.", ErrInvalid, name)
	}
	base, _, _ := strings.Cut(a.DataType, ".")
	if len(a.DataType) > 256 || (base != "String" && base != "Number" && base != "Binary") {
		return fmt.Errorf("%w: The type of message (user) attribute '%s' is invalid. You must use only the following supported type prefixes: Binary, Number, String.", ErrInvalid, name)
	}
	switch base {
	case "Binary":
		if len(a.BinaryValue) == 0 {
			return fmt.Errorf("%w: Message (user) attribute '%s' must contain a non-empty value of type 'Binary'.", ErrInvalid, name)
		}
	default:
		if a.StringValue == "" {
			return fmt.Errorf("%w: Message (user) attribute '%s' must contain a non-empty value of type '%s'.", ErrInvalid, name, base)
		}
		if err := checkChars(a.StringValue); err != nil {
			return err
		}
		if base == "Number" {
			if _, err := strconv.ParseFloat(a.StringValue, 64); err != nil {
				return fmt.Errorf("%w: Can't cast the value of message (user) attribute '%s' to a number.", ErrInvalid, name)
			}
		}
	}
	return nil
}

func newMessageID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// encodeAttrs packs message attributes into one header value.
func encodeAttrs(a map[string]MessageAttribute) (string, error) {
	b, err := json.Marshal(a)
	if err != nil {
		return "", fmt.Errorf("queues: encode message attributes: %w", err)
	}
	return base64.RawStdEncoding.EncodeToString(b), nil
}

func decodeAttrs(v string) map[string]MessageAttribute {
	if v == "" {
		return nil
	}
	b, err := base64.RawStdEncoding.DecodeString(v)
	if err != nil {
		return nil
	}
	var a map[string]MessageAttribute
	if json.Unmarshal(b, &a) != nil {
		return nil
	}
	return a
}

// prepare validates m and builds its JetStream message and reply.
func (s *Service) prepare(q *Queue, m Outgoing) (*nats.Msg, Sent, error) {
	if err := m.validate(q); err != nil {
		return nil, Sent{}, err
	}
	id := newMessageID()
	msg := &nats.Msg{Subject: q.subject(), Data: []byte(m.Body), Header: nats.Header{}}
	msg.Header.Set(hdrID, id)
	msg.Header.Set(hdrSent, strconv.FormatInt(time.Now().UnixMilli(), 10))
	if q.FIFO() {
		if err := fifoHeaders(q, &m, msg); err != nil {
			return nil, Sent{}, err
		}
	} else if m.GroupID != "" {
		msg.Header.Set(hdrGroup, m.GroupID)
	}
	if m.SenderID != "" {
		msg.Header.Set(hdrSender, m.SenderID)
	}
	if m.TraceHeader != "" {
		msg.Header.Set(hdrTrace, m.TraceHeader)
	}
	if len(m.Attributes) > 0 {
		v, err := encodeAttrs(m.Attributes)
		if err != nil {
			return nil, Sent{}, err
		}
		msg.Header.Set(hdrAttrs, v)
	}
	delay := q.intAttr(AttrDelaySeconds)
	if m.Delay != nil {
		delay = *m.Delay
	}
	if delay > 0 {
		at := time.Now().Add(time.Duration(delay) * time.Second)
		if at.Truncate(time.Second) != at {
			at = at.Truncate(time.Second).Add(time.Second)
		}
		msg.Subject = "sqs." + q.ID + ".d." + strings.ReplaceAll(id, "-", "")
		msg.Header.Set("Nats-Schedule", "@at "+at.UTC().Format(time.RFC3339))
		msg.Header.Set("Nats-Schedule-Target", q.subject())
	}
	out := Sent{MessageID: id, BodyMD5: md5Hex(m.Body), AttributesMD5: attributesMD5(m.Attributes)}
	if m.TraceHeader != "" {
		out.SystemAttributes = attributesMD5(map[string]MessageAttribute{"AWSTraceHeader": {DataType: "String", StringValue: m.TraceHeader}})
	}
	return msg, out, nil
}

func (s *Service) publishError(q *Queue, err error) error {
	if errors.Is(err, jetstream.ErrNoStreamResponse) || errors.Is(err, nats.ErrNoResponders) {
		return fmt.Errorf("queue %q: %w", q.Name, ErrNotFound)
	}
	return fmt.Errorf("queues: send to %q: %w", q.Name, err)
}

// send stores one message in q. The publish returns once JetStream has
// stored it.
func (s *Service) send(ctx context.Context, q *Queue, m Outgoing) (Sent, error) {
	msg, out, err := s.prepare(q, m)
	if err != nil {
		return Sent{}, err
	}
	ack, err := s.opts.Backbone.JetStream().PublishMsg(ctx, msg)
	if err != nil {
		return Sent{}, s.publishError(q, err)
	}
	if q.FIFO() {
		out.SequenceNumber = sequenceNumber(ack.Sequence)
	}
	return out, nil
}

// sendAll stores messages in q together: the publishes are pipelined and
// each answer waited for, so a batch costs about one round trip. errs[i]
// is message i's failure.
func (s *Service) sendAll(ctx context.Context, q *Queue, ms []Outgoing) ([]Sent, []error) {
	out := make([]Sent, len(ms))
	errs := make([]error, len(ms))
	futures := make([]jetstream.PubAckFuture, len(ms))
	js := s.opts.Backbone.JetStream()
	for i, m := range ms {
		msg, sent, err := s.prepare(q, m)
		if err != nil {
			errs[i] = err
			continue
		}
		out[i] = sent
		if futures[i], err = js.PublishMsgAsync(msg); err != nil {
			errs[i] = s.publishError(q, err)
		}
	}
	for i, f := range futures {
		if f == nil {
			continue
		}
		select {
		case ack := <-f.Ok():
			if q.FIFO() {
				out[i].SequenceNumber = sequenceNumber(ack.Sequence)
			}
		case err := <-f.Err():
			errs[i] = s.publishError(q, err)
		case <-ctx.Done():
			errs[i] = ctx.Err()
		}
	}
	return out, errs
}

// Received is a message as ReceiveMessage returns it.
type Received struct {
	MessageID     string
	ReceiptHandle string
	Body          string
	BodyMD5       string
	Attributes    map[string]MessageAttribute
	AttributesMD5 string
	// System are the system attributes (all of them; the API picks).
	System map[string]string
}

// receiveOptions are a ReceiveMessage's knobs.
type receiveOptions struct {
	max        int
	wait       time.Duration
	visibility *int64
}

// receive takes up to o.max messages from q, waiting up to o.wait for the
// first one. A message received more often than the RedrivePolicy allows
// is moved to the dead-letter queue instead.
func (s *Service) receive(ctx context.Context, q *Queue, o receiveOptions) ([]Received, error) {
	c, err := s.consumer(ctx, q)
	if err != nil {
		return nil, err
	}
	var redrive *RedrivePolicy
	if v := q.Attr(AttrRedrivePolicy); v != "" {
		if rp, err := ParseRedrivePolicy(v); err == nil {
			redrive = &rp
		}
	}
	if q.FIFO() {
		// One message in flight per FIFO queue (consumerConfig): asking
		// JetStream for more would be held until the request expires.
		o.max = 1
	}
	var out []Received
	wait := o.wait
	for len(out) < o.max {
		msgs, err := fetch(c, o.max-len(out), wait)
		if err != nil {
			return nil, fmt.Errorf("queues: receive from %q: %w", q.Name, err)
		}
		if len(msgs) == 0 {
			break
		}
		moved := 0
		for _, m := range msgs {
			md, err := m.Metadata()
			if err != nil {
				continue
			}
			if redrive != nil && int64(md.NumDelivered) > redrive.MaxReceiveCount {
				if s.moveToDeadLetter(ctx, q, m, redrive.DeadLetterTargetArn) {
					moved++
					continue
				}
			}
			r := received(m, md)
			if o.visibility != nil && *o.visibility != q.intAttr(AttrVisibilityTimeout) {
				if err := changeVisibility(s.opts.Backbone.Conn(), m.Reply(), *o.visibility); err != nil {
					return nil, err
				}
			}
			out = append(out, r)
		}
		if moved == 0 {
			break
		}
		// Messages went to the dead-letter queue: take what else is there,
		// without waiting again if something was found.
		if len(out) > 0 {
			wait = 0
		}
	}
	return out, nil
}

// fetch is one pull: with wait, a request for one message that the server
// answers as soon as one arrives (or at expiry), then a no-wait request for
// the rest; without, one no-wait request. No request outlives the call.
func fetch(c jetstream.Consumer, n int, wait time.Duration) ([]jetstream.Msg, error) {
	var out []jetstream.Msg
	if wait > 0 {
		b, err := c.Fetch(1, jetstream.FetchMaxWait(wait))
		if err != nil {
			return nil, err
		}
		for m := range b.Messages() {
			out = append(out, m)
		}
		if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
			return out, err
		}
		if len(out) == 0 {
			return nil, nil
		}
		n -= len(out)
	}
	if n <= 0 {
		return out, nil
	}
	b, err := c.FetchNoWait(n)
	if err != nil {
		return out, err
	}
	for m := range b.Messages() {
		out = append(out, m)
	}
	if err := b.Error(); err != nil && !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, jetstream.ErrNoMessages) {
		return out, err
	}
	return out, nil
}

func received(m jetstream.Msg, md *jetstream.MsgMetadata) Received {
	h := m.Headers()
	body := string(m.Data())
	attrs := decodeAttrs(h.Get(hdrAttrs))
	sys := map[string]string{
		"ApproximateReceiveCount": strconv.FormatUint(md.NumDelivered, 10),
		"SentTimestamp":           h.Get(hdrSent),
	}
	if md.NumDelivered == 1 {
		sys["ApproximateFirstReceiveTimestamp"] = strconv.FormatInt(time.Now().UnixMilli(), 10)
	} else {
		// The first receive's time is not kept: the earliest it can have
		// been is when the message became visible (docs/queues.md).
		sys["ApproximateFirstReceiveTimestamp"] = strconv.FormatInt(md.Timestamp.UnixMilli(), 10)
	}
	if v := h.Get(hdrSender); v != "" {
		sys["SenderId"] = v
	}
	if v := h.Get(hdrTrace); v != "" {
		sys["AWSTraceHeader"] = v
	}
	if v := h.Get(hdrGroup); v != "" {
		sys["MessageGroupId"] = v
	}
	if v := h.Get(hdrDedup); v != "" {
		sys["MessageDeduplicationId"] = v
		sys["SequenceNumber"] = sequenceNumber(md.Sequence.Stream)
	}
	return Received{
		MessageID:     h.Get(hdrID),
		ReceiptHandle: base64.RawURLEncoding.EncodeToString([]byte(m.Reply())),
		Body:          body,
		BodyMD5:       md5Hex(body),
		Attributes:    attrs,
		AttributesMD5: attributesMD5(attrs),
		System:        sys,
	}
}

// moveToDeadLetter copies m to the dead-letter queue and ends it here; false
// when the dead-letter queue is gone (the message stays, as on SQS).
func (s *Service) moveToDeadLetter(ctx context.Context, source *Queue, m jetstream.Msg, dlqARN string) bool {
	_, name, err := parseQueueARN(dlqARN)
	if err != nil {
		return false
	}
	dlq, err := s.Get(ctx, name)
	if err != nil {
		return false
	}
	out := &nats.Msg{Subject: dlq.subject(), Data: m.Data(), Header: nats.Header{}}
	for k, v := range m.Headers() {
		if !strings.HasPrefix(k, "Nats-") {
			out.Header[k] = v
		}
	}
	out.Header.Set(hdrSource, source.Name)
	if _, err := s.opts.Backbone.JetStream().PublishMsg(ctx, out); err != nil {
		s.log.Warn("move to dead-letter queue", "queue", dlq.Name, "err", err)
		return false
	}
	if err := m.TermWithReason("moved to the dead-letter queue " + dlq.Name); err != nil {
		s.log.Warn("end a message moved to the dead-letter queue", "err", err)
	}
	return true
}

// ackTimeout bounds an acknowledged ack or nak.
const ackTimeout = 5 * time.Second

// handleFor checks a receipt handle belongs to q and returns the ack
// subject it carries.
func handleFor(q *Queue, handle string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(handle)
	if err != nil || handle == "" {
		return "", fmt.Errorf("%w: The input receipt handle %q is not a valid receipt handle.", ErrReceipt, handle)
	}
	subj := string(b)
	if !strings.HasPrefix(subj, "$JS.ACK."+q.stream()+".receive.") || strings.ContainsAny(subj, " \t\r\n*>") {
		return "", fmt.Errorf("%w: The input receipt handle %q is not a valid receipt handle for queue %s.", ErrReceipt, handle, q.Name)
	}
	return subj, nil
}

// deleteMessage acknowledges the message of handle: it is gone for good.
func (s *Service) deleteMessage(q *Queue, handle string) error {
	subj, err := handleFor(q, handle)
	if err != nil {
		return err
	}
	nc := s.opts.Backbone.Conn()
	if err := nc.Publish(subj, []byte("+ACK")); err != nil {
		return fmt.Errorf("queues: delete message of %q: %w", q.Name, err)
	}
	return nil
}

// flush returns once the server has every ack and nak published before
// (it handles a connection's messages in order): a delete answered is a
// delete done.
func (s *Service) flush() error {
	if err := s.opts.Backbone.Conn().FlushTimeout(ackTimeout); err != nil {
		return fmt.Errorf("queues: flush acks: %w", err)
	}
	return nil
}

// changeMessageVisibility makes the message of handle visible again after
// seconds (0: at once).
func (s *Service) changeMessageVisibility(q *Queue, handle string, seconds int64) error {
	if seconds < 0 || seconds > 43200 {
		return fmt.Errorf("%w: Value %d for parameter VisibilityTimeout is invalid. Reason: must be between 0 and 43200.", ErrInvalid, seconds)
	}
	subj, err := handleFor(q, handle)
	if err != nil {
		return err
	}
	return changeVisibility(s.opts.Backbone.Conn(), subj, seconds)
}

func changeVisibility(nc *nats.Conn, subj string, seconds int64) error {
	payload := []byte("-NAK")
	if seconds > 0 {
		payload = fmt.Appendf(nil, `-NAK {"delay": %d}`, (time.Duration(seconds) * time.Second).Nanoseconds())
	}
	if _, err := nc.Request(subj, payload, ackTimeout); err != nil {
		return fmt.Errorf("queues: change visibility: %w", err)
	}
	return nil
}

// sequenceNumber is a FIFO message's SequenceNumber: SQS's are 20 digits.
func sequenceNumber(seq uint64) string { return fmt.Sprintf("%020d", seq) }

var fifoIDRE = regexp.MustCompile(`^[!-~]{1,128}$`)

// fifoHeaders applies a FIFO queue's rules to m: a group id, a
// deduplication id (given, or the body's SHA-256 with
// ContentBasedDeduplication) that JetStream's duplicate window enforces for
// five minutes, and no per-message delay.
func fifoHeaders(q *Queue, m *Outgoing, msg *nats.Msg) error {
	if m.GroupID == "" {
		return fmt.Errorf("%w: The request must contain the parameter MessageGroupId.", ErrInvalid)
	}
	if !fifoIDRE.MatchString(m.GroupID) {
		return fmt.Errorf("%w: Value %s for parameter MessageGroupId is invalid. Reason: 1 to 128 printable ASCII characters.", ErrInvalid, m.GroupID)
	}
	if m.Delay != nil && *m.Delay != 0 {
		return fmt.Errorf("%w: Value %d for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.", ErrInvalid, *m.Delay)
	}
	dedup := m.DeduplicationID
	if dedup == "" {
		if q.Attr(AttrContentBasedDeduplication) != "true" {
			return fmt.Errorf("%w: The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly", ErrInvalid)
		}
		sum := sha256.Sum256([]byte(m.Body))
		dedup = hex.EncodeToString(sum[:])
	} else if !fifoIDRE.MatchString(dedup) {
		return fmt.Errorf("%w: Value %s for parameter MessageDeduplicationId is invalid. Reason: 1 to 128 printable ASCII characters.", ErrInvalid, dedup)
	}
	msg.Header.Set(hdrGroup, m.GroupID)
	msg.Header.Set(hdrDedup, dedup)
	scope := dedup
	if q.Attr(AttrDeduplicationScope) == "messageGroup" {
		scope = m.GroupID + "\x00" + dedup
	}
	msg.Header.Set(nats.MsgIdHdr, scope)
	return nil
}
