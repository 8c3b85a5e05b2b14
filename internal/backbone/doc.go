// Package backbone owns nubo's one durable store: a NATS JetStream connection,
// either to a nats-server embedded in this process (the default, file storage
// under the data directory, client connected in-process with no TCP hop) or to
// an external cluster given by --nats-url.
//
// Every other package reaches JetStream through a *Backbone: KeyValue,
// ObjectStore and Stream create-or-open the named bucket or stream with the
// replica count this deployment uses. WorkQueue (workqueue.go) is durable
// work shared by every node: publish, N workers per node, ack, retry with a
// delay, a dead-letter hook, in-flight extension and a draining close.
// Start with backbone.go.
package backbone
