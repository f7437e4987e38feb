/**
 * Not API: a blocking RESP2 connection to Redis, shared by the redis driver's publish socket and the
 * durable queue's writer. Anything here may change or go in any release without notice.
 */
package dev.broadcasting.resp.internal;
