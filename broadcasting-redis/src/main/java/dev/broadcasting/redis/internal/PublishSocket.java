package dev.broadcasting.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.spi.BroadcastMessage;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisCredentials;
import io.lettuce.core.RedisURI;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

/**
 * The driver's own connection for its publishes: commands preformatted as RESP by the caller,
 * written with one write per batch, and one reader thread that takes Redis's answers in the order
 * the commands were written and completes their futures. Lettuce's event loop, which cost more
 * JVM CPU per event than everything else the driver does, is not on this path.
 *
 * <pre>{@code
 * PublishSocket socket = new PublishSocket(PublishSocket.tcp(uri, timeout), failures, fence, timeout, 8192,
 *     System::nanoTime);
 * List<CompletableFuture<Void>> sent = socket.send(List.of(List.of(message)), 64 + body.length,
 *     (batch, i) -> batch.publish(false, channel, body));
 * }</pre>
 *
 * <p>A connection that fails (cut off, a reply that is not RESP, no answer within the command
 * timeout) is closed for good: every command it had not answered fails as retryable and fences its
 * channels, and the next send opens a new connection. So a late answer can never be taken for a
 * later command's, and the socket itself never writes a command twice.
 */
public final class PublishSocket implements AutoCloseable {
  /** Opens a connected, authenticated socket; an error reply while doing so is thrown as {@link RedisCommandExecutionException}. */
  @FunctionalInterface
  public interface Connect {
    Socket open() throws IOException;
  }

  private static final byte[] AUTH = "AUTH".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] PING = "PING".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SELECT = "SELECT".getBytes(StandardCharsets.US_ASCII);

  private static final long FIRST_BACKOFF_NANOS = 20_000_000L;
  private static final long MAX_BACKOFF_NANOS = 1_000_000_000L;

  private final Connect connect;
  private final RedisFailures failures;
  private final OrderFence fence;
  private final long timeoutNanos;
  private final int maxUnanswered;
  private final LongSupplier nanoTime;
  private final Object writeLock = new Object();
  /** The open connection, or null; replaced only under {@link #writeLock}. */
  private Link link;
  private boolean closed;
  /** The last failure to connect, thrown again until {@link #retryAt}; null after a success. */
  private Exception connectFailure;
  private long retryAt;
  private long backoffNanos;

  public PublishSocket(Connect connect, RedisFailures failures, OrderFence fence, Duration timeout, int maxUnanswered,
      LongSupplier nanoTime) {
    this.connect = connect;
    this.failures = failures;
    this.fence = fence;
    this.timeoutNanos = timeout.toNanos();
    this.maxUnanswered = maxUnanswered;
    this.nanoTime = nanoTime;
  }

  /** Appends the command of the {@code index}-th group of messages to {@code batch}. */
  @FunctionalInterface
  public interface Format {
    void append(RespCommands batch, int index);
  }

  /**
   * Sends one command per group of {@code messages} (a group of several is one script call of
   * {@code publishAll}, delivered whole or not at all), formatted by {@code format} into about
   * {@code bytes} bytes, with one write; returns one future per group, in order. Opens the
   * connection first when there is none.
   *
   * <p>The order fence admits each group here, under the lock that orders the writes, once the
   * connection it goes on is known to be alive: a connection that died has fenced all it left
   * unanswered before a later group is admitted, so no group admitted before that fence went up
   * can be written on the next connection ahead of the retry of an earlier one.
   */
  public List<CompletableFuture<Void>> send(List<List<BroadcastMessage>> messages, int bytes, Format format) {
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
      RespCommands batch = new RespCommands(bytes);
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

  /** Opens the connection now if there is none; a failure is thrown, mapped as a publish's would be. */
  public void connect() {
    synchronized (writeLock) {
      try {
        connected();
      } catch (IOException | RuntimeException e) {
        throw failures.map(e);
      }
    }
  }

  /**
   * Connects to the server {@code uri} names over TCP and authenticates as it says (password, or
   * user and password) and selects its database. TLS, Sentinel and Unix sockets are not done here.
   */
  public static Connect tcp(RedisURI uri, Duration timeout) {
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    return () -> {
      Socket socket = new Socket();
      try {
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), millis);
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(millis);
        RedisCredentials credentials = uri.getCredentialsProvider() == null ? null
            : uri.getCredentialsProvider().resolveCredentials().block(timeout);
        if (credentials != null && credentials.hasPassword()) {
          byte[] password = new String(credentials.getPassword()).getBytes(StandardCharsets.UTF_8);
          handshake(socket, credentials.hasUsername()
              ? new byte[][] {AUTH, credentials.getUsername().getBytes(StandardCharsets.UTF_8), password}
              : new byte[][] {AUTH, password});
        } else {
          // a server that wants a password says so now (NOAUTH), not on the first publish
          handshake(socket, PING);
        }
        if (uri.getDatabase() != 0) {
          handshake(socket, SELECT, Integer.toString(uri.getDatabase()).getBytes(StandardCharsets.US_ASCII));
        }
        return socket;
      } catch (IOException | RuntimeException e) {
        socket.close();
        throw e;
      }
    };
  }

  /** One command of the handshake and its status answer; an error answer is thrown as lettuce would. */
  private static void handshake(Socket socket, byte[]... command) throws IOException {
    RespCommands request = new RespCommands(64);
    request.command(command);
    request.writeTo(socket.getOutputStream());
    InputStream in = socket.getInputStream();
    int type = in.read();
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\r'; c = in.read()) {
      if (c < 0) {
        throw new EOFException("Redis closed the connection while it was being opened");
      }
      line.append((char) c);
    }
    in.read(); // '\n'
    if (type == '-') {
      throw new RedisCommandExecutionException(line.toString());
    }
    if (type != '+') {
      throw new IOException("Redis answered " + new String(command[0], StandardCharsets.US_ASCII)
          + " with something that is not a RESP2 status (first byte " + type + ")");
    }
  }

  private Link connected() throws IOException {
    if (closed) {
      throw new BroadcastException("The Redis driver is closed");
    }
    if (link == null || link.isDead()) {
      long now = nanoTime.getAsLong();
      if (connectFailure instanceof IOException io && now - retryAt < 0) {
        throw io;
      } else if (connectFailure instanceof RuntimeException refused && now - retryAt < 0) {
        throw refused;
      }
      try {
        link = new Link(connect.open(), maxUnanswered);
      } catch (IOException | RuntimeException e) {
        // every send would try again, each holding the dispatcher for up to the timeout when the
        // packets are dropped: the next attempt waits, 20 ms doubling up to 1 s, as lettuce's does
        backoffNanos = backoffNanos == 0 ? FIRST_BACKOFF_NANOS : Math.min(2 * backoffNanos, MAX_BACKOFF_NANOS);
        retryAt = now + backoffNanos;
        connectFailure = e;
        throw e;
      }
      connectFailure = null;
      backoffNanos = 0;
      link.reader.start();
    }
    return link;
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

  /** One connection: its socket, the commands it has not answered yet, and the thread reading its answers. */
  private final class Link implements Runnable {
    final Socket socket;
    final OutputStream out;
    final InputStream in;
    final ArrayBlockingQueue<Sent> unanswered;
    final Thread reader;
    /** Set, with every unanswered command fenced, under this link's monitor. */
    private boolean dead;
    private Throwable cause;
    private final byte[] buffer = new byte[64 * 1024];
    private int position;
    private int limit;

    Link(Socket socket, int capacity) throws IOException {
      this.socket = socket;
      this.out = socket.getOutputStream();
      this.in = socket.getInputStream();
      this.unanswered = new ArrayBlockingQueue<>(capacity);
      // the reader wakes this often to see whether the oldest command has waited too long
      socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, timeoutNanos / 4_000_000)));
      this.reader = new Thread(this, "broadcasting-redis-reader");
      reader.setDaemon(true);
    }

    @Override
    public void run() {
      try {
        while (true) {
          Object answer = reply();
          Sent command = unanswered.poll();
          if (command == null) {
            throw new IOException("Redis answered a command that was not sent");
          }
          if (answer instanceof RedisCommandExecutionException error) {
            command.fail(error);
          } else {
            command.answered();
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
        if (!dead && unanswered.remainingCapacity() >= sent.size()) {
          long now = nanoTime.getAsLong();
          for (Sent command : sent) {
            command.written = now;
            unanswered.add(command);
          }
          return true;
        }
        refusal = dead ? cause : BroadcastException.retryable("More than " + maxUnanswered
            + " publishes are waiting for Redis's answer; this one was not sent. Redis is slower than the events "
            + "come: it will be sent again", null);
      }
      sent.forEach(command -> command.fail(refusal));
      return false;
    }

    /**
     * Closes the socket and fails every command not answered yet; once. Their channels are fenced
     * before {@link #isDead} can answer true; the futures complete after, outside the monitor.
     */
    void die(Throwable error) {
      List<Sent> failed = new ArrayList<>(unanswered.size());
      List<BroadcastException> mapped = new ArrayList<>(unanswered.size());
      synchronized (this) {
        if (dead) {
          return;
        }
        dead = true;
        cause = error;
        try {
          socket.close();
        } catch (IOException ignored) {
          // closing is all that was left to do with it
        }
        for (Sent command; (command = unanswered.poll()) != null; ) {
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

    /** One reply: null for an integer or a simple string, the error for an error reply. */
    private Object reply() throws IOException {
      int type = next();
      if (type == '-') {
        return new RedisCommandExecutionException(line());
      }
      if (type == ':' || type == '+') {
        skipLine();
        return null;
      }
      throw new IOException("Redis answered something that is not a RESP2 integer, status or error (first byte "
          + type + ")");
    }

    private String line() throws IOException {
      StringBuilder line = new StringBuilder();
      for (int c = next(); c != '\r'; c = next()) {
        line.append((char) c);
      }
      next(); // '\n'
      return line.toString();
    }

    private void skipLine() throws IOException {
      while (next() != '\n') {
        // the receiver count or "OK": of no use to core
      }
    }

    private int next() throws IOException {
      while (position == limit) {
        fill();
      }
      return buffer[position++] & 0xff;
    }

    private void fill() throws IOException {
      while (true) {
        try {
          int read = in.read(buffer, 0, buffer.length);
          if (read < 0) {
            throw new EOFException("Redis closed the connection");
          }
          position = 0;
          limit = read;
          return;
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

  /** One command written, and the future core holds for it. */
  private final class Sent extends CompletableFuture<Void> {
    final List<BroadcastMessage> messages;
    final long attempt;
    volatile long written;
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

    void answered() {
      if (claim()) {
        messages.forEach(fence::delivered);
        complete(null);
      }
    }

    /** Fails it, fencing its channels first when core may retry it, so no later event overtakes the retry. */
    void fail(Throwable error) {
      BroadcastException mapped = fence(error);
      if (mapped != null) {
        completeExceptionally(mapped);
      }
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
      if (!claim()) {
        return false;
      }
      messages.forEach(m -> fence.failed(m, attempt));
      return super.cancel(mayInterruptIfRunning);
    }
  }
}
