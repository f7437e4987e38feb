package dev.broadcasting.queue.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * lettuce reaches a Unix socket only through netty's native transport, which is an optional
 * dependency: in a class loader with this module's class path but no netty epoll, a
 * {@code redis-socket://} queue is refused when it is built, saying which artifact to add, while a
 * {@code redis://} queue to the same real redis-server still works.
 */
class QueueWithoutEpollTest {
  private static final String REFUSAL = "needs netty's native transport, which lettuce uses for the queue's reads: add "
      + "io.netty:netty-transport-native-epoll (Linux) or netty-transport-native-kqueue (macOS) to the class path, or "
      + "use a redis:// URI";

  @Test
  void aRedisSocketUriIsRefusedAtBuildTimeNamingTheArtifactWhileRedisUrisStillWork() throws Exception {
    List<String> classPath = Arrays.asList(System.getProperty("java.class.path").split(File.pathSeparator));
    URL[] withoutEpoll = classPath.stream().filter(entry -> !entry.contains("epoll")).map(QueueWithoutEpollTest::url)
        .toArray(URL[]::new);
    assertThat(classPath).as("this test's own class path has epoll").anyMatch(entry -> entry.contains("epoll"));
    Path socket = Files.createTempDirectory("queue-no-epoll-").resolve("redis.sock");
    ClassLoader previous = Thread.currentThread().getContextClassLoader();
    try (RedisNode redis = RedisNode.start("--unixsocket", socket.toString());
        URLClassLoader isolated = new URLClassLoader(withoutEpoll, ClassLoader.getPlatformClassLoader())) {
      Thread.currentThread().setContextClassLoader(isolated);
      assertThatThrownBy(() -> isolated.loadClass("io.netty.channel.epoll.Epoll"))
          .isInstanceOf(ClassNotFoundException.class);

      assertThatThrownBy(() -> build(isolated, "redis-socket://" + socket)).isExactlyInstanceOf(IllegalStateException.class)
          .hasMessage("the Unix socket " + socket + " " + REFUSAL);
      assertThatThrownBy(() -> fromSettings(isolated, "redis-socket://" + socket))
          .hasMessage("The durable queue's settings are invalid: the Unix socket " + socket + " " + REFUSAL)
          .extracting(refused -> refused.getClass().getName()).isEqualTo("dev.broadcasting.BroadcastException");

      try (AutoCloseable overTcp = build(isolated, redis.uri())) {
        assertThat(overTcp.getClass().getClassLoader()).isSameAs(isolated);
        assertThat(overTcp.getClass().getMethod("stats").invoke(overTcp).toString()).contains("depth=0");
      }
    } finally {
      Thread.currentThread().setContextClassLoader(previous);
    }
  }

  /** {@code RedisStreamQueue.builder().uri(uri).workers(false).build()}, in {@code loader}. */
  private static AutoCloseable build(ClassLoader loader, String uri) throws Exception {
    Class<?> builderClass = loader.loadClass(RedisStreamQueue.Builder.class.getName());
    Object builder = loader.loadClass(RedisStreamQueue.class.getName()).getMethod("builder").invoke(null);
    builderClass.getMethod("uri", String.class).invoke(builder, uri);
    builderClass.getMethod("workers", boolean.class).invoke(builder, false);
    return (AutoCloseable) unwrapped(() -> builderClass.getMethod("build").invoke(builder));
  }

  /** As {@code BROADCAST_QUEUE=redis} with {@code BROADCAST_QUEUE_REDIS_URL=uri}, in {@code loader}. */
  private static AutoCloseable fromSettings(ClassLoader loader, String uri) throws Exception {
    Class<?> settingsClass = loader.loadClass("dev.broadcasting.spi.DriverSettings");
    Object settings = settingsClass.getMethod("of", Map.class).invoke(null, Map.of("BROADCAST_QUEUE_REDIS_URL", uri,
        "BROADCAST_QUEUE_WORKERS", "false"));
    Class<?> providerClass = loader.loadClass("dev.broadcasting.queue.redis.internal.RedisQueueProvider");
    Object provider = providerClass.getConstructor().newInstance();
    return (AutoCloseable) unwrapped(() -> providerClass.getMethod("create", settingsClass).invoke(provider, settings));
  }

  private interface Reflective {
    Object call() throws Exception;
  }

  /** The call's result, or what the called method itself threw. */
  private static Object unwrapped(Reflective call) throws Exception {
    try {
      return call.call();
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof Exception thrown) {
        throw thrown;
      }
      throw e;
    }
  }

  private static URL url(String entry) {
    try {
      return Path.of(entry).toUri().toURL();
    } catch (java.net.MalformedURLException e) {
      throw new IllegalArgumentException(entry, e);
    }
  }
}
