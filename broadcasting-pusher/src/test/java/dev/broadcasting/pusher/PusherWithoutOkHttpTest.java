package dev.broadcasting.pusher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.Broadcaster;
import dev.broadcasting.pusher.protocol.PusherSigner;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.AddressResolver;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;

/**
 * OkHttp is an optional dependency: the driver loads, is created from settings, publishes and closes
 * in a class loader that has the driver's other dependencies and no OkHttp.
 */
class PusherWithoutOkHttpTest {

  @Test
  void publishesWithNoOkHttpOnTheClassPath() throws Exception {
    Set<URL> jars = new LinkedHashSet<>();
    for (Class<?> anchor : List.of(PusherBroadcastDriver.class, Broadcaster.class, PusherSigner.class,
        ObjectMapper.class, JsonFactory.class, JsonAutoDetect.class, org.slf4j.Logger.class,
        io.netty.util.concurrent.Future.class, ByteBuf.class, Bootstrap.class, AddressResolver.class,
        ByteToMessageDecoder.class, HttpClientCodec.class, SslContext.class)) {
      jars.add(anchor.getProtectionDomain().getCodeSource().getLocation());
    }
    assertThat(jars).noneMatch(url -> url.toString().contains("okhttp"));
    try (MockWebServer server = new MockWebServer();
        URLClassLoader isolated = new URLClassLoader(jars.toArray(URL[]::new), ClassLoader.getPlatformClassLoader())) {
      server.enqueue(new MockResponse.Builder().code(200).body("{}").build());
      server.start();
      assertThatThrownBy(() -> isolated.loadClass("okhttp3.OkHttpClient")).isInstanceOf(ClassNotFoundException.class);

      // through the provider, as configuration creates it: reflection over the builder's methods would
      // resolve client(OkHttpClient)'s parameter type (NETTY-TRANSPORT.md)
      Class<?> settingsClass = isolated.loadClass("dev.broadcasting.spi.DriverSettings");
      Object settings = settingsClass.getMethod("of", Map.class).invoke(null, Map.of("PUSHER_APP_ID", "1",
          "PUSHER_APP_KEY", "key", "PUSHER_APP_SECRET", "secret", "PUSHER_HOST", "127.0.0.1",
          "PUSHER_PORT", Integer.toString(server.getPort()), "PUSHER_SCHEME", "http"));
      Class<?> providerClass = isolated.loadClass("dev.broadcasting.pusher.internal.PusherDriverProvider");
      Object provider = providerClass.getConstructor().newInstance();
      Class<?> driverClass = isolated.loadClass(PusherBroadcastDriver.class.getName());
      try (AutoCloseable driver = (AutoCloseable) providerClass.getMethod("create", settingsClass).invoke(provider, settings)) {
        Class<?> channelClass = isolated.loadClass("dev.broadcasting.Channel");
        Object channel = channelClass.getConstructor(String.class).newInstance("orders");
        Class<?> messageClass = isolated.loadClass("dev.broadcasting.spi.BroadcastMessage");
        Object message = messageClass.getMethod("of", String.class, List.class, String.class)
            .invoke(null, "OrderShipped", List.of(channel), "{\"id\":1}");
        Method publish = driverClass.getMethod("publish", messageClass);
        ((CompletableFuture<?>) publish.invoke(driver, message)).get(10, TimeUnit.SECONDS);
      }
      RecordedRequest request = server.takeRequest();
      assertThat(request.getMethod()).isEqualTo("POST");
      assertThat(request.getUrl().encodedPath()).isEqualTo("/apps/1/events");
      assertThat(request.getBody().utf8()).contains("\"channels\":[\"orders\"]");
    }
  }
}
