package dev.broadcasting.pusher.internal;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code batch_events} requests of unfinished batches that Pusher already accepted, so that
 * core's retry of a batch sends only the requests that failed or were never sent: Pusher has no
 * idempotent ids, and a request sent again is delivered again. A request is named by its place in
 * the batch and its messages' ids, which stay the same across core's retries. Bounded: the oldest
 * entries go first, and a batch's entries go once the whole batch was accepted.
 * {@code AcceptedRequests accepted = new AcceptedRequests(1024); accepted.add("0:abc"); }
 */
final class AcceptedRequests {
  private final Map<String, Boolean> keys;

  AcceptedRequests(int capacity) {
    keys = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
        return size() > capacity;
      }
    };
  }

  synchronized boolean contains(String key) {
    return keys.containsKey(key);
  }

  synchronized void add(String key) {
    keys.put(key, Boolean.TRUE);
  }

  synchronized void forget(Collection<String> batch) {
    keys.keySet().removeAll(batch);
  }
}
