// Package schedules is EventBridge Scheduler: schedules and schedule groups
// in backbone KV, the Scheduler REST-JSON API, and the firing of schedules'
// targets.
//
// Firing is JetStream's message scheduling (decision 010): each pending
// firing of a timer is one scheduled message (`Nats-Schedule: @at ...`) on a
// stream; at its time the stream leader publishes it to the timer's work
// queue subject, where exactly one node's worker takes it, plans the next
// firing and calls the timer's callback. No node keeps a timer or a list.
// Timer is that mechanism on its own, for EventBridge rules'
// ScheduleExpression too.
package schedules
