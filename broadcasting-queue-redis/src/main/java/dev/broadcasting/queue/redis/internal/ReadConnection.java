package dev.broadcasting.queue.redis.internal;

import dev.broadcasting.BroadcastException;
import dev.broadcasting.queue.redis.internal.WriteConnection.ErrorReply;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StreamMessage;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The worker's connection for {@code XREADGROUP}: a plain blocking socket ({@link WriteConnection}),
 * on which the worker thread sends the read and decodes the answer itself, with no hand-over to an
 * event loop and back. At most once: a read whose connection broke before its answer came is not
 * sent again (sent again, it would read past the entries the lost answer held, which would then go
 * out after later ones); it fails instead, the worker then sends its own pending entries first, in
 * order, and the next read opens a new connection.
 *
 * <pre>{@code
 * try (ReadConnection reads = new ReadConnection(uri, SslOptions.create(), Duration.ofSeconds(5))) {
 *   List<StreamMessage<String, String>> read = reads.read("workers", me, 256, Duration.ofMillis(50),
 *       List.of("broadcasting:queue:p0"), List.of(">"));
 * }
 * }</pre>
 */
public final class ReadConnection implements AutoCloseable {
  private final WriteConnection connection;

  public ReadConnection(RedisURI uri, SslOptions ssl, Duration commandTimeout) {
    this.connection = new WriteConnection(uri, ssl, commandTimeout);
  }

  /**
   * {@code XREADGROUP GROUP group consumer COUNT count [BLOCK block] STREAMS streams... ids...}: the
   * entries of every stream, in the answer's order; none when a blocking read timed out. A deleted
   * entry still pending comes with no fields. Throws when Redis could not be reached or refused
   * the read, with Redis's own message (NOGROUP, say).
   */
  public List<StreamMessage<String, String>> read(String group, String consumer, int count, Duration block,
      List<String> streams, List<String> ids) {
    List<String> command = new ArrayList<>(9 + 2 * streams.size());
    command.addAll(List.of("XREADGROUP", "GROUP", group, consumer, "COUNT", Integer.toString(count)));
    if (block != null) {
      command.add("BLOCK");
      command.add(Long.toString(block.toMillis()));
    }
    command.add("STREAMS");
    command.addAll(streams);
    command.addAll(ids);
    Object answer;
    try {
      answer = connection.call(command.toArray(String[]::new));
    } catch (IOException e) {
      throw BroadcastException.retryable("Redis failed: " + e.getMessage(), e);
    }
    if (answer instanceof ErrorReply error) {
      throw BroadcastException.retryable("Redis failed: " + error.message(), null);
    }
    List<StreamMessage<String, String>> messages = new ArrayList<>();
    if (answer instanceof List<?> perStream) {
      for (Object item : perStream) {
        List<?> stream = (List<?>) item;
        String name = (String) stream.get(0);
        for (Object one : (List<?>) stream.get(1)) {
          List<?> entry = (List<?>) one;
          messages.add(new StreamMessage<>(name, (String) entry.get(0), fields((List<?>) entry.get(1))));
        }
      }
    }
    return messages;
  }

  private static Map<String, String> fields(List<?> flat) {
    if (flat == null) {
      return Map.of();
    }
    Map<String, String> fields = new HashMap<>(flat.size());
    for (int i = 0; i + 1 < flat.size(); i += 2) {
      fields.put((String) flat.get(i), (String) flat.get(i + 1));
    }
    return fields;
  }

  @Override
  public void close() {
    connection.close();
  }
}
