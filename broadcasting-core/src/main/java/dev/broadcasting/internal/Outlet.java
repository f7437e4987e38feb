package dev.broadcasting.internal;

import dev.broadcasting.spi.BroadcastDriver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * One connection's side of the dispatcher: its channels' order ("lanes") and the jobs ready to go.
 * One thread at a time drains it, so the driver is called in the order jobs became ready, which is
 * what lets a driver that {@linkplain BroadcastDriver#keepsOrder keeps order} be pipelined.
 *
 * <p>A job may go when, on each of its channels, it is within the lane's window and every job
 * ahead of it is in flight: on a pipelining connection in any earlier request, elsewhere in the
 * very batch being filled (the driver's batch form keeps a channel's order within a request). So
 * without pipelining a channel has one request in flight, carrying up to {@code maxBatch} of its
 * events. Without per-channel order there are no lanes: every job is ready at once.
 *
 * <pre>{@code
 * Outlet outlet = new Outlet("redis", driver, true);
 * synchronized (outlet) { outlet.admit(job); outlet.offer(job); }
 * }</pre>
 *
 * <p>Every method but the constructor runs under the outlet's own monitor.
 */
final class Outlet {
  /** Events of one channel in flight at once on a pipelining connection. */
  static final int PIPELINE_WINDOW = 64;

  final String connection;
  final BroadcastDriver driver;
  final boolean ordered;
  final boolean pipelined;
  final int maxBatch;
  private final int window;
  private final Map<String, ArrayDeque<Job>> lanes = new HashMap<>();
  private final ArrayDeque<Job> ready = new ArrayDeque<>();
  private long batch;
  /** A thread is draining the ready queue. */
  boolean draining;

  Outlet(String connection, BroadcastDriver driver, boolean ordered) {
    this.connection = connection;
    this.driver = driver;
    this.ordered = ordered;
    this.pipelined = ordered && driver.keepsOrder();
    this.maxBatch = Math.max(1, driver.maxBatch());
    this.window = pipelined ? PIPELINE_WINDOW : maxBatch;
  }

  /** Puts a new job behind the others on its channels; {@link #offer} or {@link #mayGoAlone} then says whether it may go. */
  void admit(Job job) {
    if (ordered) {
      for (String key : job.keys) {
        lanes.computeIfAbsent(key, k -> new ArrayDeque<>(4)).addLast(job);
      }
    }
  }

  /** True when a new batch may start with {@code job} now: a {@code ShouldBroadcastNow} sent by its caller. */
  boolean mayGoAlone(Job job) {
    batch++;
    return !job.readied && job.state.get() == Job.WAITING && !job.backoff && allowed(job);
  }

  /** Marks {@code job} as sent in the current batch, and readies what may now follow it. */
  void launch(Job job) {
    job.state.set(Job.IN_FLIGHT);
    job.attempts++;
    job.batch = batch;
    job.inFlight = null;
    promote(job);
  }

  /**
   * The next batch: ready jobs that may still go, at most {@code maxBatch}, each marked in flight.
   * A job of several messages ({@code broadcastAll}) goes alone, through {@code publishAll}.
   */
  List<Job> take() {
    batch++;
    List<Job> out = new ArrayList<>(Math.min(maxBatch, Math.max(1, ready.size())));
    Job job;
    while (out.size() < maxBatch && (job = ready.pollFirst()) != null) {
      job.readied = false;
      if (job.state.get() != Job.WAITING || job.backoff || !allowed(job)) {
        continue; // no longer free to go; a later change on its channels readies it again
      }
      if (job.messages.size() > 1 && !out.isEmpty()) {
        job.readied = true;
        ready.addFirst(job);
        break;
      }
      launch(job);
      out.add(job);
      if (job.messages.size() > 1) {
        break;
      }
    }
    return out;
  }

  boolean hasReady() {
    return !ready.isEmpty();
  }

  /** Readies {@code job} (after admission or back-off) if it may go. */
  void offer(Job job) {
    if (!job.readied && job.state.get() == Job.WAITING && !job.backoff && allowed(job)) {
      job.readied = true;
      ready.addLast(job);
    }
  }

  /** After a change to {@code job} (sent, settled, back from back-off): readies what may follow it on its channels. */
  void promote(Job job) {
    if (!ordered) {
      return;
    }
    for (String key : job.keys) {
      ArrayDeque<Job> lane = lanes.get(key);
      if (lane == null) {
        continue;
      }
      int position = 0;
      for (Job next : lane) {
        if (position++ >= window) {
          break;
        }
        int state = next.state.get();
        if (state == Job.WAITING) {
          offer(next);
          break; // the ones after it wait until it is in flight
        }
      }
    }
  }

  /** Removes a settled job from its channels and readies what it held back. */
  void remove(Job job) {
    if (!ordered) {
      return;
    }
    for (String key : job.keys) {
      ArrayDeque<Job> lane = lanes.get(key);
      if (lane != null) {
        if (lane.peekFirst() == job) {
          lane.pollFirst();
        } else {
          lane.removeFirstOccurrence(job);
        }
        if (lane.isEmpty()) {
          lanes.remove(key);
        }
      }
    }
    promote(job);
  }

  /**
   * A pipelined job failed and will be sent again: the requests that went out after it on its
   * channels are cancelled, so that they follow it again rather than arrive before its retry.
   * Returns them, for the caller to cancel outside this lock.
   */
  List<Job> behind(Job failed) {
    List<Job> cascaded = new ArrayList<>();
    if (!pipelined) {
      return cascaded;
    }
    for (String key : failed.keys) {
      ArrayDeque<Job> lane = lanes.get(key);
      if (lane == null) {
        continue;
      }
      boolean after = false;
      for (Iterator<Job> it = lane.iterator(); it.hasNext(); ) {
        Job next = it.next();
        if (next == failed) {
          after = true;
        } else if (after && next.state.get() == Job.IN_FLIGHT && next.cascadedAttempt != next.attempts
            && !cascaded.contains(next)) {
          next.cascadedAttempt = next.attempts;
          cascaded.add(next);
        }
      }
    }
    return cascaded;
  }

  /** On each of the job's channels: within the window, and every job ahead of it in flight (see the class comment). */
  private boolean allowed(Job job) {
    if (!ordered) {
      return true;
    }
    for (String key : job.keys) {
      ArrayDeque<Job> lane = lanes.get(key);
      int position = 0;
      for (Job ahead : lane) {
        if (ahead == job) {
          break;
        }
        if (++position >= window || ahead.state.get() != Job.IN_FLIGHT || !pipelined && ahead.batch != batch) {
          return false;
        }
      }
    }
    return true;
  }
}
