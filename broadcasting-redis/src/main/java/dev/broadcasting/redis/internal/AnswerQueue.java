package dev.broadcasting.redis.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The commands one connection wrote and Redis has not answered yet, oldest first. The writer adds
 * each batch under the connection's lock; the one reader takes them one at a time without it,
 * from a hand it fills under the lock once per run of answers. An {@code ArrayBlockingQueue} took
 * its lock once per command on each of the two threads, and the two contended for it.
 *
 * <pre>{@code
 * AnswerQueue<Sent> unanswered = new AnswerQueue<>(link, 16_384);
 * synchronized (link) { unanswered.add(command); }
 * Sent oldest = unanswered.take(); // on the reader's thread
 * }</pre>
 *
 * <p>{@link #take} and {@link #peek} are for the reader's thread alone; the rest runs under the
 * lock given.
 */
final class AnswerQueue<T> {
  private static final int HAND = 1024;

  private final Object lock;
  private final int capacity;
  private final ArrayDeque<T> waiting = new ArrayDeque<>();
  private final Object[] hand;
  /** The commands in the hand; written by the reader under the lock. */
  private int handSize;
  /** The next one the reader takes from its hand; written by the reader alone. */
  private final AtomicInteger handAt = new AtomicInteger();

  AnswerQueue(Object lock, int capacity) {
    this.lock = lock;
    this.capacity = capacity;
    this.hand = new Object[Math.min(HAND, capacity)];
  }

  /** Under the lock: how many wait for their answer. */
  int size() {
    return waiting.size() + handSize - handAt.get();
  }

  /** Under the lock: how many more it takes. */
  int remainingCapacity() {
    return capacity - size();
  }

  /** Under the lock, after {@link #remainingCapacity} said there is room. */
  void add(T command) {
    waiting.addLast(command);
  }

  /** The reader's thread: the oldest one, taken out, or null when none waits. */
  @SuppressWarnings("unchecked")
  T take() {
    int at = handAt.get();
    if (at == handSize && (at = fill()) == handSize) {
      return null;
    }
    T command = (T) hand[at];
    hand[at] = null;
    handAt.lazySet(at + 1); // read under the lock by size(); ordered after the slot is cleared
    return command;
  }

  /** The reader's thread: the oldest one, left where it is, or null. */
  @SuppressWarnings("unchecked")
  T peek() {
    int at = handAt.get();
    if (at < handSize) {
      return (T) hand[at];
    }
    synchronized (lock) {
      return waiting.peekFirst();
    }
  }

  /** The reader's thread, its hand empty: moves the oldest waiting ones into it; returns where to take from. */
  private int fill() {
    synchronized (lock) {
      int count = Math.min(hand.length, waiting.size());
      for (int i = 0; i < count; i++) {
        hand[i] = waiting.pollFirst();
      }
      handSize = count;
      handAt.set(0);
      return 0;
    }
  }

  /**
   * Under the lock, when the connection died: every one waiting, and those still in the reader's
   * hand (the reader may take one of these meanwhile: whoever settles a command first wins).
   */
  @SuppressWarnings("unchecked")
  List<T> drain() {
    List<T> all = new ArrayList<>(size());
    for (int i = handAt.get(); i < handSize; i++) {
      Object command = hand[i];
      if (command != null) {
        all.add((T) command);
      }
    }
    all.addAll(waiting);
    waiting.clear();
    return all;
  }
}
