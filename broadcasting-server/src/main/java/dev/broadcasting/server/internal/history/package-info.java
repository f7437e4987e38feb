/**
 * Channel history for recovery: where the recent events of history channels are kept, with their
 * offsets and the epoch of their stream. Not for users.
 */
package dev.broadcasting.server.internal.history;
