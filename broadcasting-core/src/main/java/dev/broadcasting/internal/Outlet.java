package dev.broadcasting.internal;

import dev.broadcasting.spi.BroadcastDriver;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One connection's side of the dispatcher: its channels' order ("lanes") and the jobs ready to go.
 * One thread at a time drains it, so the driver is called in the order jobs became ready, which is
 * what lets a driver that {@linkplain BroadcastDriver#keepsOrder keeps order} be pipelined.
 *
 * <p>A job may go when, on each of its channels, it is within the lane's window and every job
 * ahead of it is in flight: on a pipelining connection in any earlier request (or answered already
 * and not yet removed: a prefix of launched jobs, see {@link Lane}), elsewhere in the
 * very batch being filled (the driver's batch form keeps a channel's order within a request). So
 * without pipelining a channel has one request in flight, carrying up to {@code maxBatch} of its
 * events. Without per-channel order there are no lanes: every job is ready at once. Across its
 * channels, a connection has at most the driver's {@link BroadcastDriver#maxUnanswered} messages
 * unanswered: the drain stops at that bound, and the answer that makes room starts it again.
 *
 * <p>Intake: a queued job is {@linkplain #push pushed} without the lock, so producers never wait
 * for each other or for the draining thread; whoever next holds the lock {@linkplain #admitPushed
 * admits} the pushed jobs, in the order they were pushed, before anything else.
 *
 * <pre>{@code
 * Outlet outlet = new Outlet("redis", driver, true);
 * outlet.push(job);
 * if (outlet.claim()) { synchronized (outlet) { outlet.admitPushed(); batch = outlet.take(); } }
 * }</pre>
 *
 * <p>Every method but the constructor, {@link #push}, {@link #claim} and {@link #dropDrain} runs
 * under the outlet's own monitor.
 */
final class Outlet {
  /** Events of one channel in flight at once on a pipelining connection whose driver declares no bound. */
  static final int PIPELINE_WINDOW = 256;
  /**
   * The same on a connection whose driver declares its bound on unanswered messages (the redis
   * publish socket's 8,192), at most that bound: there the connection itself limits what is in
   * flight, and one hot channel may use most of it. Larger means more sent again after a failure
   * (the events in flight behind a failed one on its channel): 8,192 measured no faster than 4,096
   * (benchmarks/RESULTS.md, "redis queued: the socket path at less CPU per event").
   */
  static final int BOUNDED_PIPELINE_WINDOW = 4096;
  /** Jobs taken under one lock when they need not share a request. */
  static final int TAKE = 256;

  final String connection;
  final BroadcastDriver driver;
  final boolean ordered;
  final boolean pipelined;
  final int maxBatch;
  private final int window;
  /** The driver's {@link BroadcastDriver#maxUnanswered}; Integer.MAX_VALUE: nothing is counted. */
  private final int maxUnanswered;
  /** Messages sent and not answered yet, counted only under a bound; changed without the lock. */
  private final AtomicInteger unanswered = new AtomicInteger();
  /**
   * The drain stopped at the bound: the answer that brings {@link #unanswered} down to this starts
   * it again (-1: not stopped). Written before the count is read again, read after an answer
   * lowers it, so that one of the two sees the other: no wake-up is lost.
   */
  private volatile int resumeAt = -1;
  private final Map<String, Lane> lanes = new HashMap<>();
  /**
   * The lane a job joined last, kept even once it emptied and left {@link #lanes}: a hot channel's
   * next job usually joins it too, found without hashing, its ring not grown again from 4 slots.
   */
  private Lane lastLane;
  private final ArrayDeque<Job> ready = new ArrayDeque<>();
  private long batch;
  /** The jobs admitted and not yet removed, newest first, linked through the jobs themselves. */
  private Job live;
  /** Jobs pushed and not yet admitted, newest first, linked through {@link Job#nextIntake}. */
  private final AtomicReference<Job> pushed = new AtomicReference<>();
  /** A thread is draining the ready queue, or is about to. */
  private final AtomicBoolean draining = new AtomicBoolean();
  /** The drivers' answers on their way back to a dispatcher thread; no lock. */
  final Answers answers = new Answers();
  /**
   * Ordered and not pipelined: a channel's requests form a serial chain, and the answer to the last
   * open one launches the next on its own thread ({@code Dispatcher.deliveredHere}).
   */
  final boolean chained;
  /**
   * Requests sent and not answered yet, whose answers come back through the dispatcher's hand-back;
   * counted only when {@link #chained}, the one use; no lock.
   */
  final AtomicInteger requestsOpen = new AtomicInteger();
  /**
   * Messages launched by the {@link #take} under way and not yet added to {@link #unanswered}: one
   * atomic add per take rather than one per job, on a line the answering thread writes too.
   */
  private int uncounted;
  /**
   * The request the driver built ahead for {@link #prepared}'s jobs ({@link BroadcastDriver#prepareBatch}),
   * or null. Only the thread that holds the drain reads or writes it.
   */
  BroadcastDriver.PreparedBatch preparedRequest;
  /** The jobs {@link #preparedRequest} carries, in order; it is sent only for a batch of exactly these. */
  List<Job> prepared;
  /** False once the driver declined to prepare a batch: it is not asked again on this connection. */
  boolean prepares = true;

  Outlet(String connection, BroadcastDriver driver, boolean ordered) {
    this.connection = connection;
    this.driver = driver;
    this.ordered = ordered;
    this.pipelined = ordered && driver.keepsOrder();
    this.chained = ordered && !pipelined;
    this.maxBatch = Math.max(1, driver.maxBatch());
    this.maxUnanswered = driver.maxUnanswered(); // at least 1: the broadcaster's builder refuses less
    this.window = !pipelined ? maxBatch
        : maxUnanswered == Integer.MAX_VALUE ? PIPELINE_WINDOW : Math.min(BOUNDED_PIPELINE_WINDOW, maxUnanswered);
  }

  /** Without the lock: hands a queued job to the next holder of the lock, who admits and offers it. */
  void push(Job job) {
    Job head;
    do {
      head = pushed.get();
      job.nextIntake = head;
    } while (!pushed.compareAndSet(head, job));
  }

  /** Admits and offers the pushed jobs, oldest first. */
  void admitPushed() {
    Job newest = pushed.getAndSet(null);
    if (newest == null) {
      return;
    }
    Job oldest = null;
    while (newest != null) { // reverse the stack into push order
      Job next = newest.nextIntake;
      newest.nextIntake = oldest;
      oldest = newest;
      newest = next;
    }
    for (Job job = oldest; job != null; ) {
      Job next = job.nextIntake;
      job.nextIntake = null;
      if (admit(job)) {
        offer(job);
      }
      job = next;
    }
  }

  /**
   * Puts a new job behind the others on its channels; {@link #offer} or {@link #mayGoAlone} then
   * says whether it may go. False when offering it now is of no use: without pipelining, a job
   * behind another on one of its channels is readied when that one leaves ({@link #remove}).
   */
  boolean admit(Job job) {
    job.nextLive = live;
    if (live != null) {
      live.previousLive = job;
    }
    live = job;
    boolean first = true;
    if (ordered) {
      Lane[] found = new Lane[job.keys.length];
      for (int i = 0; i < found.length; i++) {
        Lane lane;
        if (lastLane != null && lastLane.key.equals(job.keys[i])) {
          lane = lastLane;
          if (lane.isEmpty()) {
            lanes.put(lane.key, lane); // it left the map when it emptied; its grown ring is used again
          }
        } else {
          lane = lanes.get(job.keys[i]);
          if (lane == null) {
            lane = new Lane(job.keys[i]);
            lanes.put(lane.key, lane);
          }
        }
        lastLane = lane;
        first &= lane.isEmpty();
        lane.add(job);
        found[i] = lane;
      }
      job.lanes = found;
    }
    return first || pipelined;
  }

  /** True when the caller must start the drain: there is work (ready or pushed) and nobody was draining. */
  boolean claimDrain() {
    return (!ready.isEmpty() || pushed.get() != null) && claim();
  }

  /** Without the lock, after a {@link #push}: true when the caller must start the drain, nobody draining. */
  boolean claim() {
    return !draining.get() && draining.compareAndSet(false, true);
  }

  /**
   * Under the lock, when the drain found nothing to take: stops draining, true when it must go on
   * after all, because a job was pushed after the drain last looked.
   */
  boolean endDrain() {
    draining.set(false);
    boolean room = roomAgain();
    if (room) {
      resumeAt = -1; // the next take looks again: a drain that stops (close) does not come back for it
    }
    return (pushed.get() != null || room) && draining.compareAndSet(false, true);
  }

  /**
   * Without the lock, when the driver answered (or failed, or a cancel completed) a request of
   * {@code jobs}: they no longer count against the bound. True when the caller must start the
   * drain, which had stopped at the bound and may go on now.
   */
  boolean answered(List<Job> jobs) {
    if (maxUnanswered == Integer.MAX_VALUE) {
      return false;
    }
    int events = 0;
    for (Job job : jobs) {
      events += job.messages.size();
    }
    unanswered.addAndGet(-events);
    return roomAgain() && claim();
  }

  /** The drain stopped at the bound, and enough answers came back since for the job it stopped at. */
  private boolean roomAgain() {
    int at = resumeAt;
    return at >= 0 && unanswered.get() <= at;
  }

  /**
   * Whether {@code job} may be sent without passing the driver's bound on messages unanswered;
   * when not, marks the drain as stopped until the answers make room for it.
   */
  private boolean fits(Job job) {
    if (maxUnanswered == Integer.MAX_VALUE) {
      return true;
    }
    int at = Math.max(0, maxUnanswered - job.messages.size()); // a job above the bound goes alone
    if (unanswered.get() + uncounted <= at) {
      return true;
    }
    countLaunched(); // the stop below compares the count itself with what the answers bring it down to
    resumeAt = at;
    if (unanswered.get() <= at) { // an answer came between the two reads, and may not have seen resumeAt
      resumeAt = -1;
      return true;
    }
    return false;
  }

  /** When a drain could not be started: lets the next claim start one. */
  void dropDrain() {
    draining.set(false);
  }

  /** True when a new batch may start with {@code job} now: a {@code ShouldBroadcastNow} sent by its caller. */
  boolean mayGoAlone(Job job) {
    batch++;
    return !job.readied && job.state() == Job.WAITING && !job.backoff && allowed(job) && fits(job);
  }

  /**
   * True when no job is ahead of {@code job} on any of its channels, not even one in flight: on a
   * pipelining connection a job in flight may be one a drain has taken and not yet written.
   */
  boolean firstOnItsChannels(Job job) {
    if (!ordered) {
      return true;
    }
    for (Lane lane : job.lanes) {
      if (lane.get(0) != job) {
        return false;
      }
    }
    return true;
  }

  /** Marks {@code job} as sent in the current batch, and readies what may now follow it. */
  void launch(Job job) {
    launchUncounted(job);
    countLaunched();
  }

  /** Adds what was launched since the last count to the messages unanswered. */
  private void countLaunched() {
    if (uncounted != 0) {
      unanswered.addAndGet(uncounted);
      uncounted = 0;
    }
  }

  /** {@link #launch}, its messages counted against the bound at the next {@link #countLaunched}. */
  private void launchUncounted(Job job) {
    job.launched();
    job.attempts++;
    job.batch = batch;
    job.inFlight = null;
    if (maxUnanswered != Integer.MAX_VALUE) {
      uncounted += job.messages.size();
    }
    if (pipelined) {
      for (Lane lane : job.lanes) {
        lane.launchedNext(); // allowed: it was the job just after the launched prefix
      }
    }
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
    if (resumeAt >= 0) {
      resumeAt = -1; // set again if this take stops at the bound
    }
    int limit = ordered && !pipelined && maxBatch > 1 ? maxBatch : Math.max(maxBatch, TAKE);
    List<Job> out = new ArrayList<>(Math.min(limit, Math.max(1, ready.size())));
    Job job;
    while (out.size() < limit && (job = ready.pollFirst()) != null) {
      job.readied = false;
      if (job.state() != Job.WAITING || job.backoff || !allowed(job)) {
        continue; // no longer free to go; a later change on its channels readies it again
      }
      if (job.messages.size() > 1 && !out.isEmpty() || !fits(job)) {
        job.readied = true;
        ready.addFirst(job); // it goes first once the request in flight, or the driver's answers, let it
        break;
      }
      launchUncounted(job);
      out.add(job);
      if (job.messages.size() > 1) {
        break;
      }
    }
    countLaunched();
    return out;
  }

  /**
   * The jobs the next {@link #take} will return once the request in flight is answered, when they
   * already fill a batch: one channel, ordered and not pipelined, its first jobs in flight in one
   * request and the next {@code maxBatch} waiting, each a single message on this channel alone.
   * Empty otherwise (several channels, a back-off, a short batch): nothing is prepared then.
   */
  List<Job> nextFullBatch() {
    if (!ordered || pipelined || maxBatch == 1 || lanes.size() != 1 || !ready.isEmpty()) {
      return List.of();
    }
    Lane lane = lanes.values().iterator().next();
    Job first = lane.get(0);
    if (first == null || first.state() != Job.IN_FLIGHT) {
      return List.of();
    }
    int at = 1;
    while (at < lane.size() && lane.get(at).state() == Job.IN_FLIGHT && lane.get(at).batch == first.batch) {
      at++;
    }
    if (lane.size() - at < maxBatch) {
      return List.of();
    }
    List<Job> next = new ArrayList<>(maxBatch);
    for (int i = at; i < at + maxBatch; i++) {
      Job job = lane.get(i);
      if (job.state() != Job.WAITING || job.backoff || job.messages.size() != 1 || job.keys.length != 1) {
        return List.of();
      }
      next.add(job);
    }
    return next;
  }

  /** Every job pushed or admitted and not yet removed. */
  List<Job> live() {
    admitPushed();
    List<Job> jobs = new ArrayList<>();
    for (Job job = live; job != null; job = job.nextLive) {
      jobs.add(job);
    }
    return jobs;
  }

  /** Readies {@code job} (after admission or back-off) if it may go. */
  void offer(Job job) {
    if (!job.readied && job.state() == Job.WAITING && !job.backoff && allowed(job)) {
      job.readied = true;
      ready.addLast(job);
    }
  }

  /** After a change to {@code job} (sent, settled, back from back-off): readies what may follow it on its channels. */
  void promote(Job job) {
    if (!ordered) {
      return;
    }
    for (Lane lane : job.lanes) {
      if (pipelined) {
        // only the job just after the launched prefix may go: the ones after it wait until it is in flight
        int next = lane.launched();
        if (next < window && next < lane.size()) {
          offer(lane.get(next));
        }
        continue;
      }
      for (int position = 0; position < window && position < lane.size(); position++) {
        Job next = lane.get(position);
        if (next.state() == Job.WAITING) {
          offer(next);
          break; // the ones after it wait until it is in flight
        }
      }
    }
  }

  /** Removes a settled job from its channels and readies what it held back; once. */
  void remove(Job job) {
    if (job.left) {
      return;
    }
    job.left = true;
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
    for (Lane lane : job.lanes) {
      lane.remove(job);
      if (lane.isEmpty()) {
        lanes.remove(lane.key); // lastLane may keep it, empty, for the channel's next job
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
    for (Lane lane : failed.lanes) {
      lane.relaunchLater(failed);
      boolean after = false;
      for (int i = 0; i < lane.size(); i++) {
        Job next = lane.get(i);
        if (next == failed) {
          after = true;
        } else if (after && next.state() == Job.IN_FLIGHT && next.cascadedAttempt != next.attempts
            && !cascaded.contains(next)) {
          next.cascadedAttempt = next.attempts;
          cascaded.add(next);
        }
      }
    }
    return cascaded;
  }

  /**
   * On each of the job's channels: within the window, and every job ahead of it in flight (see the
   * class comment); on a pipelining connection, every job ahead launched in turn ({@link Lane}).
   */
  private boolean allowed(Job job) {
    if (!ordered) {
      return true;
    }
    for (Lane lane : job.lanes) {
      if (pipelined) {
        int at = lane.launched();
        if (at >= window || lane.get(at) != job) {
          return false;
        }
        continue;
      }
      for (int position = 0; ; position++) {
        Job ahead = lane.get(position);
        if (ahead == job || ahead == null) {
          break;
        }
        if (position + 1 >= window || ahead.state() != Job.IN_FLIGHT || ahead.batch != batch) {
          return false;
        }
      }
    }
    return true;
  }
}
