package dev.broadcasting.internal;

/**
 * One channel's jobs on one connection, oldest first, with the number of them at its head that
 * were launched in turn: on a pipelining connection the next job may go when it is the one just
 * after that prefix and within the window, a check of one slot instead of a walk over the jobs in
 * flight (a walk of up to the window's 64 jobs, several times per event, cost a third of the
 * draining thread). Guarded by its outlet's lock.
 *
 * <pre>{@code
 * Lane lane = new Lane("orders.1");
 * lane.add(job);
 * boolean next = lane.get(lane.launched()) == job;
 * }</pre>
 */
final class Lane {
  final String key;
  private Job[] ring = new Job[4];
  private int head;
  private int size;
  /**
   * The jobs at the head launched one after another (in flight, or settled and not yet removed);
   * a job that fails and waits for its retry ends it at its own place.
   */
  private int launched;

  Lane(String key) {
    this.key = key;
  }

  int size() {
    return size;
  }

  boolean isEmpty() {
    return size == 0;
  }

  /** The job at {@code index} from the head, or null past the end. */
  Job get(int index) {
    return index < size ? ring[(head + index) & (ring.length - 1)] : null;
  }

  int launched() {
    return launched;
  }

  void add(Job job) {
    if (size == ring.length) {
      Job[] grown = new Job[ring.length * 2];
      for (int i = 0; i < size; i++) {
        grown[i] = get(i);
      }
      ring = grown;
      head = 0;
    }
    ring[(head + size++) & (ring.length - 1)] = job;
  }

  /** The job just after the launched prefix went: the prefix grows by it. */
  void launchedNext() {
    launched++;
  }

  /** {@code job} failed and waits for its retry: the launched prefix ends before it. */
  void relaunchLater(Job job) {
    int at = indexOf(job);
    if (at >= 0 && at < launched) {
      launched = at;
    }
  }

  /** Takes {@code job} out (at the head, usually), and out of the launched prefix if it was in it. */
  void remove(Job job) {
    int at = indexOf(job);
    if (at < 0) {
      return;
    }
    if (at < launched) {
      launched--;
    }
    for (int i = at; i > 0; i--) { // close the gap from the head's side: at is usually 0
      ring[(head + i) & (ring.length - 1)] = ring[(head + i - 1) & (ring.length - 1)];
    }
    ring[head] = null;
    head = (head + 1) & (ring.length - 1);
    size--;
  }

  private int indexOf(Job job) {
    for (int i = 0; i < size; i++) {
      if (get(i) == job) {
        return i;
      }
    }
    return -1;
  }
}
