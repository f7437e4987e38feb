package dev.broadcasting.examples.chat;

import com.sun.net.httpserver.HttpServer;
import dev.broadcasting.BroadcastEvent;
import dev.broadcasting.BroadcastListener;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.FailedBroadcast;
import dev.broadcasting.PresenceMember;
import dev.broadcasting.server.App;
import dev.broadcasting.server.BroadcastServer;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A small chat at {@code http://localhost:8080}, broadcasting through the embedded
 * Pusher-protocol server: a public channel of ticks, a private channel per user, a presence room
 * with typing indicators. The page is Laravel Echo over pusher-js.
 *
 * <pre>{@code
 * ./mvnw -B -q install -DskipTests && ./mvnw -B -pl examples exec:java
 * }</pre>
 *
 * <p>Environment: {@code CHAT_HOST} (bind address, default 127.0.0.1), {@code CHAT_HTTP_PORT}
 * (default 8080), {@code BROADCAST_SERVER_PORT} (the WebSocket port, default 6001),
 * {@code CHAT_ALLOWED_ORIGINS} (comma-separated origins that may open the WebSocket; default the
 * page's own, on localhost and 127.0.0.1).
 */
public final class ChatDemo implements AutoCloseable {
  /** The presence room: {@code presence-chat} on the wire, {@code Echo.join('chat')} on the page. */
  static final String ROOM = "chat";
  static final String APP_ID = "demo";
  static final String APP_KEY = "demo-key";

  /** Where the demo listens; port 0 picks a free one (the tests do). */
  public record Settings(String host, int httpPort, int webSocketPort, List<String> allowedOrigins) {
    public static Settings fromEnvironment(Map<String, String> env) {
      String origins = env.getOrDefault("CHAT_ALLOWED_ORIGINS", "");
      return new Settings(env.getOrDefault("CHAT_HOST", "127.0.0.1"),
          port(env, "CHAT_HTTP_PORT", 8080),
          port(env, "BROADCAST_SERVER_PORT", 6001),
          origins.isBlank() ? List.of() : List.of(origins.split("\\s*,\\s*")));
    }

    private static int port(Map<String, String> env, String name, int fallback) {
      String value = env.get(name);
      try {
        return value == null || value.isBlank() ? fallback : Integer.parseInt(value.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a port number but was \"" + value + "\"");
      }
    }
  }

  private final BroadcastServer server;
  private final Broadcaster broadcaster;
  private final HttpServer http;
  private final ExecutorService httpThreads;
  private final ScheduledExecutorService ticks;
  private final URI url;

  private ChatDemo(BroadcastServer server, Broadcaster broadcaster, HttpServer http, ExecutorService httpThreads,
      ScheduledExecutorService ticks, URI url) {
    this.server = server;
    this.broadcaster = broadcaster;
    this.http = http;
    this.httpThreads = httpThreads;
    this.ticks = ticks;
    this.url = url;
  }

  /** Starts the WebSocket server, the page and the ticks; {@code terminal} gets one line per broadcast and auth decision. */
  public static ChatDemo start(Settings settings, Consumer<String> terminal) throws IOException {
    HttpServer http;
    try {
      http = HttpServer.create(new InetSocketAddress(settings.host(), settings.httpPort()), 0);
    } catch (BindException e) {
      throw new IllegalStateException("Port " + settings.httpPort() + " on " + settings.host() + " is in use ("
          + e.getMessage() + "); stop what uses it, or choose another with CHAT_HTTP_PORT", e);
    }
    int httpPort = http.getAddress().getPort();
    // The page on :8080 opens a WebSocket to :6001, a different origin: the server must accept it.
    List<String> origins = settings.allowedOrigins().isEmpty()
        ? List.of("http://localhost:" + httpPort, "http://127.0.0.1:" + httpPort)
        : settings.allowedOrigins();
    byte[] secretBytes = new byte[16];
    new SecureRandom().nextBytes(secretBytes);
    String secret = HexFormat.of().formatHex(secretBytes); // new every run, never shown
    BroadcastServer server;
    try {
      server = BroadcastServer.builder()
          .host(settings.host())
          .port(settings.webSocketPort())
          .app(keepHistory(App.builder(APP_ID, APP_KEY, secret)).allowedOrigins(origins.toArray(String[]::new)).build())
          .build()
          .start();
    } catch (RuntimeException e) {
      http.stop(0);
      throw e; // "could not bind ...": BROADCAST_SERVER_PORT chooses another port
    }

    Broadcaster broadcaster = Broadcaster.builder()
        .connection("server", server.driver(APP_ID)) // the in-process `server` driver: no HTTP hop
        .listener(new TerminalListener(terminal))
        .build();

    Map<String, Object> pusherOptions = Map.of("key", APP_KEY, "wsPort", server.port());
    new ChatRoutes(broadcaster, channels(broadcaster), new ChatSessions(), pusherOptions, terminal).register(http);
    ExecutorService httpThreads = Executors.newFixedThreadPool(8, daemon("chat-http"));
    http.setExecutor(httpThreads);
    http.start();

    ScheduledExecutorService ticks = Executors.newSingleThreadScheduledExecutor(daemon("chat-ticks"));
    AtomicLong n = new AtomicLong();
    ticks.scheduleAtFixedRate(() -> broadcaster.broadcast(
        new Tick(n.incrementAndGet(), Instant.now().truncatedTo(ChronoUnit.MILLIS).toString())), 1, 1, TimeUnit.SECONDS);

    String host = settings.host().equals("0.0.0.0") || settings.host().equals("127.0.0.1") ? "localhost" : settings.host();
    URI url = URI.create("http://" + host + ":" + httpPort + "/");
    return new ChatDemo(server, broadcaster, http, httpThreads, ticks, url);
  }

  /** routes/channels.php, in Java: who may listen where. */
  static ChannelAuthorizer<ChatUser> channels(Broadcaster broadcaster) {
    return ChannelAuthorizer.<ChatUser>create(broadcaster)
        // private-user.{id}: only its own user
        .channel("user.{id}", (user, params) -> user.id() == params.getLong("id"))
        // presence-chat: everyone logged in, shown to the others with their id and name
        .presence(ROOM, (user, params) -> PresenceMember.of(user.id(), Map.of("id", user.id(), "name", user.name())));
  }

  /**
   * The chat's history, for recovery: a tab whose connection dropped gets the messages and mentions
   * it missed when it resubscribes (the page's broadcasting-recovery plugin), or is told it cannot.
   * The last 100 events of each channel, for 2 minutes. examples-spring sets the same rules as
   * {@code broadcasting.server.history} properties; its browser test checks they match.
   */
  public static App.Builder keepHistory(App.Builder app) {
    return app.history("presence-" + ROOM, 100, Duration.ofMinutes(2))
        .history("private-user.*", 100, Duration.ofMinutes(2));
  }

  /** The page's address, for a browser. */
  public URI url() {
    return url;
  }

  public int webSocketPort() {
    return server.port();
  }

  @Override
  public void close() {
    ticks.shutdownNow();
    http.stop(0);
    httpThreads.shutdownNow();
    broadcaster.close();
    server.close();
  }

  public static void main(String[] args) throws Exception {
    ChatDemo demo = start(Settings.fromEnvironment(System.getenv()), ChatDemo::print);
    if (ChatDemo.class.getResource("/chat-demo/chat.js") == null) {
      print("the page's chat.js is not built: stop, then run ./mvnw -B -q -Pchat-page install -DskipTests"
          + " (npm builds the page) and start the demo again");
    }
    print("chat demo: open " + demo.url() + " in two browsers (or a normal and a private window), pick two names");
    print("WebSocket server (Pusher protocol) on port " + demo.webSocketPort() + ", app key " + APP_KEY
        + "; Ctrl+C stops");
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      demo.close();
      stopped.countDown();
    }, "chat-demo-shutdown"));
    stopped.await();
  }

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  private static void print(String line) {
    System.out.println(terminalLine(LocalTime.now(), line));
  }

  /** One terminal line; always with seconds, which {@code LocalTime.toString()} drops on the full minute. */
  static String terminalLine(LocalTime time, String line) {
    return CLOCK.format(time) + "  " + line;
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    };
  }

  /**
   * One terminal line per event the driver accepted, retried or gave up on; the ticks, one a
   * second, only once, so they do not bury the login and auth lines.
   */
  private static final class TerminalListener implements BroadcastListener {
    private final Consumer<String> terminal;
    private final AtomicBoolean tickShown = new AtomicBoolean();

    TerminalListener(Consumer<String> terminal) {
      this.terminal = terminal;
    }

    @Override
    public void onSent(BroadcastEvent message, String connection, int attempts, long latencyNanos) {
      if (message.name().equals(Tick.class.getSimpleName())) {
        if (tickShown.compareAndSet(false, true)) {
          terminal.accept("broadcast " + message.name() + " on " + message.channels()
              + " every second (shown once; failures are always shown)");
        }
        return;
      }
      terminal.accept("broadcast " + message.name() + " on " + message.channels()
          + (message.socketId() == null ? "" : " to all but socket " + message.socketId()));
    }

    @Override
    public void onRetry(BroadcastEvent message, String connection, int attempt, Duration delay, Throwable cause) {
      terminal.accept("broadcast retry " + message.name() + " on " + message.channels() + ": attempt " + attempt
          + " failed (" + cause.getMessage() + "), next in " + delay.toMillis() + " ms");
    }

    @Override
    public void onFailed(FailedBroadcast failure) {
      terminal.accept("broadcast FAILED after " + failure.attempts() + " attempts: " + failure.cause().getMessage());
    }

    @Override
    public void onRejected(FailedBroadcast failure) {
      terminal.accept("broadcast REJECTED: " + failure.cause().getMessage());
    }
  }
}
