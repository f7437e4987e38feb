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
  /** Jobs taken under one lock when they need not share a request. */
  static final int TAKE = 256;

  final String connection;
  final BroadcastDriver driver;
  final boolean ordered;
  final boolean pipelined;
  final int maxBatch;
  private final int window;
  private final Map<String, ArrayDeque<Job>> lanes = new HashMap<>();
  private final ArrayDeque<Job> ready = new ArrayDeque<>();
  private long batch;
  /** The jobs admitted and not yet removed, newest first, linked through the jobs themselves. */
  private Job live;
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
    job.nextLive = live;
    if (live != null) {
      live.previousLive = job;
    }
    live = job;
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
   * The next ready jobs that may still go, each marked in flight, for the caller to send in
   * batches of {@code maxBatch} in this order. Without pipelining on an ordered connection that
   * is one batch, as a channel's jobs may only share a request; elsewhere up to {@link #TAKE}.
   * A job of several messages ({@code broadcastAll}) goes alone, through {@code publishAll}.
   */
  List<Job> take() {
    batch++;
    int limit = ordered && !pipelined && maxBatch > 1 ? maxBatch : Math.max(maxBatch, TAKE);
    List<Job> out = new ArrayList<>(Math.min(limit, Math.max(1, ready.size())));
    Job job;
    while (out.size() < limit && (job = ready.pollFirst()) != null) {
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

  /** Every job admitted and not yet removed. */
  List<Job> live() {
    List<Job> jobs = new ArrayList<>();
    for (Job job = live; job != null; job = job.nextLive) {
      jobs.add(job);
    }
    return jobs;
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
    if (job.previousLive != null) {
      job.previousLive.nextLive = job.nextLive;
    } else if (live == job) {
      live = job.nextLive;
    }
    if (job.nextLive != null) {
      job.nextLive.previousLive = job.previousLive;
    }
    job.previousLive = null;
    job.nextLive = null;
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
