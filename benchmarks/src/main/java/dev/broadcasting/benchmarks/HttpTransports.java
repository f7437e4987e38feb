package dev.broadcasting.benchmarks;

import dev.broadcasting.pusher.internal.OkHttpTransport;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import javax.net.SocketFactory;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import org.asynchttpclient.AsyncHttpClient;
import org.asynchttpclient.Dsl;

/**
 * The HTTP transports the drivers could use, side by side against one loopback {@link HttpSink}:
 * the same POST (a {@code batch_events} body of 10 events, about 3 KB, and a body of 100 Ably
 * messages, about 28 KB), {@value InFlight#WINDOW} in flight, rounds of each transport in turn.
 * Prints requests/s and the JVM's CPU per request for OkHttp as the drivers configure it (and the
 * same with Nagle's algorithm on), the JDK's {@code java.net.http.HttpClient}, and
 * async-http-client on Netty (the official Pusher async client's transport).
 *
 * <pre>{@code java -cp benchmarks.jar dev.broadcasting.benchmarks.HttpTransports [--short]}</pre>
 */
public final class HttpTransports {
  private static final String PATH = "/apps/1/batch_events";

  private HttpTransports() {}

  /** One transport: sends the body once and completes when the whole answer is read. */
  private record Transport(String name, IntFunction<CompletableFuture<?>> send, AutoCloseable close) {}

  public static void main(String[] args) throws Exception {
    boolean quick = List.of(args).contains("--short");
    int rounds = quick ? 1 : 3;
    PrintStream out = System.out;
    out.println("HTTP transports, " + (quick ? "short" : "full") + " mode, " + InFlight.WINDOW + " in flight, load "
        + Goals.loadAverage());
    try (HttpSink sink = HttpSink.start(200, "{}")) {
      for (int bodyBytes : new int[] {3_000, 28_000}) {
        byte[] body = Payloads.json(bodyBytes).getBytes(StandardCharsets.UTF_8);
        int requests = (quick ? 2_000 : 20_000) * 3_000 / bodyBytes;
        out.println("body of " + body.length + " bytes, " + requests + " requests per round");
        List<Transport> transports = transports(URI.create("http://127.0.0.1:" + sink.port() + PATH), body);
        try {
          compare(out, transports, requests, rounds);
        } finally {
          for (Transport transport : transports) {
            transport.close.close();
          }
        }
      }
    }
    out.println("load average after: " + Goals.loadAverage());
  }

  private static void compare(PrintStream out, List<Transport> transports, int requests, int rounds) throws Exception {
    List<List<Round>> measured = new ArrayList<>();
    for (Transport transport : transports) {
      out.println("  warm-up: " + round(transport, requests).describe());
      measured.add(new ArrayList<>());
    }
    for (int r = 0; r < rounds; r++) {
      for (int t = 0; t < transports.size(); t++) {
        Round round = round(transports.get(t), requests);
        out.println("  " + round.describe());
        measured.get(t).add(round);
      }
    }
    for (int t = 0; t < transports.size(); t++) {
      Round[] each = measured.get(t).toArray(Round[]::new);
      out.printf(Locale.ROOT, "  median %-44s %,10.0f requests/s %7.1f us CPU/request%n", transports.get(t).name,
          Goals.medianRate(each), Goals.medianCpu(each));
    }
  }

  private static Round round(Transport transport, int requests) throws InterruptedException {
    return Round.run(transport.name, requests, InFlight.WINDOW, Duration.ofSeconds(60), transport.send);
  }

  private static List<Transport> transports(URI uri, byte[] body) {
    List<Transport> all = new ArrayList<>();
    OkHttpClient drivers = OkHttpTransport.newClient(null, null, null, null);
    all.add(okHttp("OkHttp as the drivers build it", drivers, uri, body));
    // a pool of its own: OkHttp's pool would hand it the other client's connections, whose
    // sockets have Nagle off (its Address does not compare socket factories)
    OkHttpClient nagle = drivers.newBuilder().socketFactory(SocketFactory.getDefault())
        .connectionPool(new ConnectionPool(InFlight.WINDOW, 5, TimeUnit.MINUTES)).build();
    all.add(okHttp("OkHttp, the same with Nagle on", nagle, uri, body));

    ExecutorService jdkThreads = Executors.newCachedThreadPool(dev.broadcasting.internal.DaemonThreads.named("jdk-http-"));
    HttpClient jdk = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(jdkThreads).build();
    HttpRequest jdkRequest = HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build();
    all.add(new Transport("JDK HttpClient (HTTP/1.1)", i -> jdk.sendAsync(jdkRequest, HttpResponse.BodyHandlers.ofString())
        .thenAccept(HttpTransports::check), jdkThreads::shutdownNow));

    AsyncHttpClient netty = Dsl.asyncHttpClient(Dsl.config().setMaxConnectionsPerHost(InFlight.WINDOW)
        .setTcpNoDelay(true).setKeepAlive(true));
    all.add(new Transport("async-http-client 3 on Netty", i -> netty.preparePost(uri.toString())
        .setHeader("Content-Type", "application/json").setBody(body).execute().toCompletableFuture()
        .thenAccept(response -> {
          if (response.getStatusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.getStatusCode());
          }
        }), netty));
    return all;
  }

  private static Transport okHttp(String name, OkHttpClient client, URI uri, byte[] body) {
    Request request = new Request.Builder().url(uri.toString())
        .post(RequestBody.create(body, MediaType.get("application/json"))).build();
    return new Transport(name, i -> RawPost.send(client, request), () -> OkHttpTransport.shutDown(client));
  }

  private static void check(HttpResponse<String> response) {
    if (response.statusCode() != 200) {
      throw new IllegalStateException("HTTP " + response.statusCode());
    }
  }
}
