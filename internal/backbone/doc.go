// Package backbone owns nubo's one durable store: a NATS JetStream connection,
// either to a nats-server embedded in this process (the default, file storage
// under the data directory, client connected in-process with no TCP hop) or to
// an external cluster given by --nats-url.
//
// Every other package reaches JetStream through a *Backbone: KeyValue,
// ObjectStore and Stream create-or-open the named bucket or stream with the
// replica count this deployment uses. Start with backbone.go.
//
// On top of a bucket, KV[T] (kv.go) stores JSON values of one type; its
// Modify (modify.go) is the one optimistic read-modify-write, retried on a
// revision conflict a bounded number of times with jitter; Watch and
// Cache (watch.go, cache.go) load a bucket into memory and follow it, so a
// restarted node rebuilds its view from JetStream.
//
// WorkQueue (workqueue.go) is durable work shared by every node: publish,
// N workers per node, ack, retry with a delay, a dead-letter hook,
// in-flight extension and a draining close.
package backbone
