// Package webhook posts alert notifications to chat and paging webhooks:
// Slack incoming-webhook messages, calltop's plain JSON and PagerDuty
// Events API v2, each rendered by Payload, and a Notifier that sends them
// from a bounded queue per webhook with retries, backoff, Retry-After and
// a rate limit, reporting every outcome as an alert.Delivery.
//
// It is an adapter of the alert domain: it implements alert.Sender and
// must not hold a reference to a Book, decide what to notify, or log
// secrets (webhook paths and routing keys stay out of every message).
package webhook
