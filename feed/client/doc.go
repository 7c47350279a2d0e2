// Package client is the subscriber side of a calltop.v1 feed: it dials one
// of several URLs (failover), authenticates, trusts a private CA for wss,
// reconnects with backoff, detects stalls and dead peers, and hands every
// frame to a feed.Pipeline, delivering the Events it completes.
//
// It must not know about diagnosis, alerts or screens.
package client
