package dev.broadcasting.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.resp.internal.BulkInputStream;
import dev.broadcasting.resp.internal.RespEndpoint;
import dev.broadcasting.resp.internal.RespError;
import dev.broadcasting.resp.internal.RespLink;
import dev.broadcasting.resp.internal.RespReader;
import dev.broadcasting.resp.internal.RespRefused;
import dev.broadcasting.resp.internal.RespWriter;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisCommandExecutionException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The driver's own connection for its publishes: commands preformatted as RESP by the caller,
 * written with one write per batch, and one reader thread that takes Redis's answers in the order
 * the commands were written and completes their futures. Lettuce's event loop, which cost more
 * JVM CPU per event than everything else the driver does, is not on this path.
 *
 * <pre>{@code
 * PublishSocket socket = new PublishSocket(PublishSocket.to(endpoint, false), failures, fence, timeout, 8192,
 *     System::nanoTime, PublishSocket.THREAD_PER_ATTEMPT);
 * List<CompletableFuture<Void>> sent = socket.send(List.of(List.of(message)),
 *     (batch, i) -> RespCommands.publish(batch, false, channel, body));
 * }</pre>
 *
 * <p>A connection that fails (cut off, a reply that is not RESP, no answer within the command
 * timeout) is closed for good: every command it had not answered fails as retryable and fences its
 * channels. A new one is opened on a thread of its own, never on the sender's: while it is being
 * opened, and for a back-off after a failed attempt, sends fail at once (retryable and fenced, so
 * core sends them again in order). So a late answer can never be taken for a later command's, a
 * host that drops packets never holds the dispatcher, and the socket itself never writes a command
 * twice.
 */
public final class PublishSocket implements AutoCloseable {
  /** Opens a connected, authenticated link; an error reply while doing so is thrown as {@link RespRefused}. */
  @FunctionalInterface
  public interface Connect {
    RespLink open() throws IOException;
  }

  /** Runs each connect attempt on a new daemon thread: at most one at a time, and one per back-off. */
  public static final Executor THREAD_PER_ATTEMPT = attempt -> {
    Thread thread = new Thread(attempt, "broadcasting-redis-connect");
    thread.setDaemon(true);
    thread.start();
  };

  private static final long FIRST_BACKOFF_NANOS = 20_000_000L;
  /** The batch buffer kept between sends; one that grew past {@link #MAX_KEPT_BATCH} is let go after its send. */
  private static final int BATCH_BYTES = 64 * 1024;
  private static final int MAX_KEPT_BATCH = 1024 * 1024;
  private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;

  private final Connect connect;
  private final RedisFailures failures;
  private final OrderFence fence;
  private final long timeoutNanos;
  private final int maxUnanswered;
  private final LongSupplier nanoTime;
  private final Executor attempts;
  private final Object writeLock = new Object();
  /** The bytes of the batch being written, kept for the next: under {@link #writeLock}. */
  private RespWriter batch = new RespWriter(BATCH_BYTES);
  /** The open connection, or null; replaced only under {@link #writeLock}. */
  private Link link;
  private boolean closed;
  /** Completes when the attempt under way ends; null when none is. */
  private CompletableFuture<Void> connecting;
  /** The last failure to connect, thrown again until {@link #retryAt}; null after a success. */
  private Exception connectFailure;
  private long retryAt;
  private long backoffNanos;

  public PublishSocket(Connect connect, RedisFailures failures, OrderFence fence, Duration timeout, int maxUnanswered,
      LongSupplier nanoTime, Executor attempts) {
    this.connect = connect;
    this.failures = failures;
    this.fence = fence;
    this.timeoutNanos = timeout.toNanos();
    this.maxUnanswered = maxUnanswered;
    this.nanoTime = nanoTime;
    this.attempts = attempts;
  }

  /**
   * Connects as {@code endpoint} says (address or Sentinel, TCP, TLS or Unix socket, AUTH,
   * SELECT), then sends {@code PING}: a server that wants a password none was given for says
   * NOAUTH when the driver starts, not at the first publish. With {@code masterOnly} (a master a
   * Sentinel named), {@code ROLE} too: a Sentinel's answer may be stale during a failover, and a
   * replica takes a {@code PUBLISH} without complaint but its subscribers are not the master's. A
   * user whose ACL refuses {@code ROLE} connects unchecked.
   */
  public static Connect to(RespEndpoint endpoint, boolean masterOnly) {
    return () -> {
      RespLink link = endpoint.open();
      try {
        if (link.call("PING") instanceof RespError error) {
          throw new RespRefused("Redis refused PING: " + error.message(), error.message(), null);
        }
        if (masterOnly && link.call("ROLE") instanceof List<?> role && !role.isEmpty()
            && !"master".equals(role.get(0))) {
          throw new IOException("the server the Sentinels named as the master is a " + role.get(0)
              + " (a failover under way?); the Sentinels are asked again at the next attempt");
        }
      } catch (IOException | RuntimeException e) {
        link.close();
        throw e;
      }
      return link;
    };
  }

  /** Appends the command of the {@code index}-th group of messages to {@code batch}. */
  @FunctionalInterface
  public interface Format {
    void append(RespWriter batch, int index);
  }

  /**
   * Sends one command per group of {@code messages} (a group of several is one script call of
   * {@code publishAll}, delivered whole or not at all), formatted by {@code format}, with one
   * write; returns one future per group, in order. With no open
   * connection they all fail at once as retryable, and an attempt to open one starts if none is
   * under way or waiting out its back-off.
   *
   * <p>The order fence admits each group here, under the lock that orders the writes, once the
   * connection it goes on is known to be alive: a connection that died has fenced all it left
   * unanswered before a later group is admitted, so no group admitted before that fence went up
   * can be written on the next connection ahead of the retry of an earlier one.
   */
  public List<CompletableFuture<Void>> send(List<List<BroadcastMessage>> messages, Format format) {
    List<CompletableFuture<Void>> results = new ArrayList<>(messages.size());
    synchronized (writeLock) {
      Link current;
      try {
        current = connected();
      } catch (IOException | RuntimeException e) {
        for (List<BroadcastMessage> group : messages) {
          Sent command = new Sent(group, fence.next());
          command.fail(e);
          results.add(command);
        }
        return results;
      }
      batch.reset();
      List<Sent> sent = new ArrayList<>(messages.size());
      for (int i = 0; i < messages.size(); i++) {
        List<BroadcastMessage> group = messages.get(i);
        long attempt = fence.next();
        BroadcastException refused = admit(group, attempt);
        if (refused != null) {
          results.add(CompletableFuture.failedFuture(refused));
          continue;
        }
        format.append(batch, i);
        Sent command = new Sent(group, attempt);
        sent.add(command);
        results.add(command);
      }
      if (!sent.isEmpty() && current.enqueue(sent)) {
        try {
          batch.writeTo(current.out);
          current.out.flush();
        } catch (IOException | RuntimeException e) {
          current.die(e);
        }
      }
      if (batch.capacity() > MAX_KEPT_BATCH) {
        batch = new RespWriter(BATCH_BYTES);
      }
    }
    return results;
  }

  /** Null when the fence lets the whole group go; otherwise all of it waits for the retry. */
  private BroadcastException admit(List<BroadcastMessage> group, long attempt) {
    for (BroadcastMessage message : group) {
      BroadcastException refused = fence.admit(message, attempt);
      if (refused != null) {
        if (group.size() > 1) {
          group.forEach(m -> fence.failed(m, attempt));
        }
        return refused;
      }
    }
    return null;
  }

  /**
   * Opens the connection now if there is none, waiting for it (when the driver is built); a
   * failure is thrown, mapped as a publish's would be.
   */
  public void connect() {
    CompletableFuture<Void> attempt;
    synchronized (writeLock) {
      if (link != null && !link.isDead()) {
        return;
      }
      if (closed) {
        throw new BroadcastException("The Redis driver is closed");
      }
      attempt = connecting != null ? connecting : startAttempt();
    }
    attempt.join();
    synchronized (writeLock) {
      if (link == null || link.isDead()) {
        throw failures.map(connectFailure != null ? connectFailure : new IOException("the connection was lost at once"));
      }
    }
  }

  /** The live connection; otherwise why there is none, after starting an attempt if one is due. */
  private Link connected() throws IOException {
    if (closed) {
      throw new BroadcastException("The Redis driver is closed");
    }
    if (link != null && !link.isDead()) {
      return link;
    }
    if (connecting == null && (connectFailure == null || nanoTime.getAsLong() - retryAt >= 0)) {
      startAttempt(); // may have run already, with an executor that runs it at once
      if (link != null && !link.isDead()) {
        return link;
      }
    }
    if (connecting == null && connectFailure instanceof IOException io) {
      throw io;
    } else if (connecting == null && connectFailure instanceof RuntimeException refused) {
      throw refused;
    }
    throw new IOException("a new connection is being opened; this publish was not sent and will be sent again");
  }

  /** Starts an attempt to connect on {@link #attempts}; under {@link #writeLock}. */
  private CompletableFuture<Void> startAttempt() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    connecting = done;
    attempts.execute(() -> attempt(done));
    return done;
  }

  private void attempt(CompletableFuture<Void> done) {
    RespLink opened = null;
    Exception failure = null;
    try {
      opened = connect.open();
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
    synchronized (writeLock) {
      connecting = null;
      if (failure == null && closed) {
        opened.close();
        failure = new BroadcastException("The Redis driver is closed");
      }
      if (failure == null) {
        try {
          link = new Link(opened, maxUnanswered);
        } catch (IOException | RuntimeException e) {
          opened.close();
          failure = e;
        }
      }
      if (failure == null) {
        connectFailure = null;
        backoffNanos = 0;
        link.reader.start();
      } else {
        // the next attempt waits, 20 ms doubling up to 1 s, as lettuce's reconnects do
        backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(2 * backoffNanos, MAX_BACKOFF_NANOS);
        retryAt = nanoTime.getAsLong() + backoffNanos;
        connectFailure = failure;
      }
    }
    done.complete(null);
  }

  /** Closes the connection; its unanswered commands fail as retryable. A send after it fails. */
  @Override
  public void close() {
    synchronized (writeLock) {
      closed = true;
      if (link != null) {
        link.die(new IOException("the driver was closed"));
      }
    }
  }

  /**
   * One connection: its link, the commands it has not answered yet, and the thread reading its answers.
   *
   * <p>Core counts a command against {@link #maxUnanswered} until its future completes, and a
   * cancelled one (core's attempt timeout, or a failure before it on its channel) completes at
   * once, while here it still waits for Redis's answer. So the bound is checked as core counts:
   * commands unanswered and not cancelled. Cancelled ones take room beyond it, up to as many again
   * ({@code 2 × maxUnanswered} in all); past that a send is refused, retryable and fenced, rather
   * than held without bound.
   */
  private final class Link implements Runnable {
    final RespLink resp;
    final OutputStream out;
    final RespReader replies;
    final AnswerQueue<Sent> unanswered;
    /** Commands in {@link #unanswered} that core cancelled: written, waiting for an answer nobody reads. */
    final AtomicInteger cancelled = new AtomicInteger();
    final Thread reader;
    /** Set, with every unanswered command fenced, under this link's monitor. */
    private boolean dead;
    private Throwable cause;

    Link(RespLink resp, int capacity) throws IOException {
      this.resp = resp;
      this.out = resp.output();
      this.unanswered = new AnswerQueue<>(this, 2 * capacity);
      // the reader wakes this often to see whether the oldest command has waited too long
      resp.readTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNanos / 4_000_000)));
      this.replies = new RespReader(new Watched(resp.input()), 64 * 1024, RedisCommandExecutionException::new);
      this.reader = new Thread(this, "broadcasting-redis-reader");
      reader.setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (true) {
          Object answer = replies.read();
          Sent command = unanswered.take();
          if (command == null) {
            throw new IOException("Redis answered a command that was not sent");
          }
          boolean settled = answer instanceof RedisCommandExecutionException error ? command.fail(error) : command.answered();
          if (!settled && command.isCancelled()) {
            cancelled.decrementAndGet();
          }
        }
      } catch (IOException | RuntimeException e) {
        die(e);
      }
    }

    /** Whether it died; waits for a death under way, so that its commands are all fenced when this answers. */
    synchronized boolean isDead() {
      return dead;
    }

    /**
     * Takes the commands to wait for their answers, in order; false when they were failed instead:
     * the connection died, or too many are unanswered already.
     */
    boolean enqueue(List<Sent> sent) {
      Throwable refusal;
      synchronized (this) {
        int counted = unanswered.size() - cancelled.get();
        if (!dead && counted + sent.size() <= maxUnanswered && unanswered.remainingCapacity() >= sent.size()) {
          long now = nanoTime.getAsLong();
          for (Sent command : sent) {
            command.written = now;
            command.link = this;
            unanswered.add(command);
          }
          return true;
        }
        refusal = dead ? cause : counted + sent.size() > maxUnanswered
            ? BroadcastException.retryable("More than " + maxUnanswered + " publishes are waiting for Redis's answer; "
                + "this one was not sent. Redis is slower than the events come: it will be sent again", null)
            : BroadcastException.retryable(unanswered.size() + " publishes are waiting for Redis's answer, "
                + cancelled.get() + " of them cancelled; this one was not sent. Redis is slower than the events "
                + "come: it will be sent again", null);
      }
      sent.forEach(command -> command.fail(refusal));
      return false;
    }

    /**
     * Closes the link and fails every command not answered yet; once. Their channels are fenced
     * before {@link #isDead} can answer true; the futures complete after, outside the monitor.
     */
    void die(Throwable error) {
      List<Sent> failed = new ArrayList<>();
      List<BroadcastException> mapped = new ArrayList<>();
      synchronized (this) {
        if (dead) {
          return;
        }
        dead = true;
        cause = error;
        resp.close();
        for (Sent command : unanswered.drain()) {
          BroadcastException failure = command.fence(error);
          if (failure != null) {
            failed.add(command);
            mapped.add(failure);
          }
        }
      }
      for (int i = 0; i < failed.size(); i++) {
        failed.get(i).completeExceptionally(mapped.get(i));
      }
    }

    /**
     * The link's input, whose reads wake every quarter of the command timeout: then the oldest
     * unanswered command that has waited the whole timeout kills the connection.
     */
    private final class Watched extends BulkInputStream {
      private final InputStream in;

      Watched(InputStream in) {
        this.in = in;
      }

      @Override
      public int read(byte[] bytes, int offset, int length) throws IOException {
        while (true) {
          try {
            return in.read(bytes, offset, length);
          } catch (SocketTimeoutException e) {
            Sent oldest = unanswered.peek();
            if (oldest != null && nanoTime.getAsLong() - oldest.written >= timeoutNanos) {
              throw new IOException(new TimeoutException());
            }
            if (isDead()) {
              throw e;
            }
          }
        }
      }
    }
  }

  /** One command written, and the future core holds for it. */
  private final class Sent extends CompletableFuture<Void> {
    final List<BroadcastMessage> messages;
    final long attempt;
    volatile long written;
    /**
     * The connection it was written on, once it was; its count of cancelled commands. Volatile: core
     * cancels on another thread, and a cancel that missed it would not count itself while the
     * reader's decrement still does, shrinking the connection's bound by one each time.
     */
    volatile Link link;
    private boolean settled;

    Sent(List<BroadcastMessage> messages, long attempt) {
      // created under the write lock; published to the reader through the queue
      this.messages = messages;
      this.attempt = attempt;
    }

    /** Whether this call is the one that settles it: an answer, a failure and core's cancel may race. */
    private synchronized boolean claim() {
      if (settled) {
        return false;
      }
      settled = true;
      return true;
    }

    /** False when it was settled already (cancelled, or failed with its connection). */
    boolean answered() {
      if (claim()) {
        for (int i = 0; i < messages.size(); i++) { // no method reference allocated per answer
          fence.delivered(messages.get(i));
        }
        complete(null);
        return true;
      }
      return false;
    }

    /**
     * Fails it, fencing its channels first when core may retry it, so no later event overtakes the
     * retry; false when it was settled already.
     */
    boolean fail(Throwable error) {
      BroadcastException mapped = fence(error);
      if (mapped != null) {
        completeExceptionally(mapped);
        return true;
      }
      return false;
    }

    /** Settles it as failed with {@code error} and fences its channels if core may retry it; null if already settled. */
    BroadcastException fence(Throwable error) {
      if (!claim()) {
        return null;
      }
      Throwable cause = error instanceof IOException && error.getCause() instanceof TimeoutException timeout
          ? timeout : error;
      BroadcastException mapped = failures.map(cause);
      if (mapped.isRetryable()) {
        messages.forEach(m -> fence.failed(m, attempt));
      }
      return mapped;
    }

    /** Core gave up on it: it was written already, so only its channels are fenced and its answer ignored. */
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (this) {
        if (!claim()) {
          return false;
        }
        // under the monitor the reader's claim takes: when that claim fails, this count is up already
        if (link != null) {
          link.cancelled.incrementAndGet();
        }
      }
      messages.forEach(m -> fence.failed(m, attempt));
      return super.cancel(mayInterruptIfRunning);
    }
  }
}
