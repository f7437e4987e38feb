package dev.broadcasting.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.csrf;
import static org.springframework.security.test.web.reactive.server.SecurityMockServerConfigurers.springSecurity;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.context.reactive.AnnotationConfigReactiveWebApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.reactive.EnableWebFluxSecurity;
import org.springframework.security.config.web.server.ServerHttpSecurity;
import org.springframework.security.core.userdetails.MapReactiveUserDetailsService;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.web.server.SecurityWebFilterChain;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.config.EnableWebFlux;
import org.springframework.web.reactive.function.BodyInserters;
import reactor.core.publisher.Flux;

/** The WebFlux endpoints, through Spring Security, answering as the Pusher documentation says. */
class ReactiveAuthEndpointsTest {
  private static AnnotationConfigReactiveWebApplicationContext context;
  private static WebTestClient client;

  @BeforeAll
  static void start() {
    context = WebContexts.reactive(Application.class, PusherVectors.CONNECTION);
    client = WebTestClient.bindToApplicationContext(context).apply(springSecurity()).configureClient().build();
  }

  @AfterAll
  static void stop() {
    context.close();
  }

  private static void withClient(Consumer<WebTestClient> test) {
    test.accept(client);
  }

  private static WebTestClient.ResponseSpec auth(WebTestClient client, String user, String socketId, String channel) {
    WebTestClient.RequestBodySpec request = client.mutateWith(csrf()).post().uri("/broadcasting/auth");
    if (user != null) {
      request.headers(headers -> headers.setBasicAuth(user, "password"));
    }
    return request.body(BodyInserters.fromFormData("socket_id", socketId).with("channel_name", channel)).exchange();
  }

  private static void assertJson(WebTestClient.ResponseSpec response, int status, String expected) {
    byte[] body = response.expectStatus().isEqualTo(status)
        .expectHeader().contentTypeCompatibleWith(MediaType.APPLICATION_JSON)
        .expectBody().returnResult().getResponseBody();
    try {
      assertThat(PusherVectors.JSON.readTree(body)).isEqualTo(PusherVectors.JSON.readTree(expected));
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void signsPrivateAndPresenceChannelsAsTheDocumentationSays() {
    withClient(client -> {
      assertJson(auth(client, "alice", "1234.1234", "private-foobar"), 200, PusherVectors.response("private_channel"));
      assertJson(auth(client, "alice", "1234.1234", "presence-foobar"), 200,
          PusherVectors.response("presence_channel"));
    });
  }

  @Test
  void signsAUserInAsTheDocumentationSays() {
    withClient(client -> assertJson(client.mutateWith(csrf()).post().uri("/broadcasting/user-auth")
        .headers(headers -> headers.setBasicAuth("alice", "password"))
        .body(BodyInserters.fromFormData("socket_id", "1234.1234")).exchange(), 200,
        PusherVectors.response("user_signin")));
  }

  @Test
  void bindsPatternParametersAndRefusesWithForbidden() {
    withClient(client -> {
      auth(client, "alice", "1234.1234", "private-orders.42").expectStatus().isOk();
      assertJson(auth(client, "bob", "1234.1234", "private-orders.42"), 403, "{\"error\":\"Forbidden\"}");
      assertJson(auth(client, null, "1234.1234", "private-foobar"), 403, "{\"error\":\"Forbidden\"}");
      assertJson(auth(client, "alice", "1234.1234", "private-orders.abc"), 403, "{\"error\":\"Forbidden\"}");
    });
  }

  @Test
  void aMalformedOrOversizedRequestIsABadRequest() {
    withClient(client -> {
      assertJson(auth(client, "alice", "x", "private-foobar"), 400,
          "{\"error\":\"socket_id is malformed; expected digits.digits such as 1234.5678\"}");
      JsonNode vector = PusherVectors.vector("private_channel");
      assertJson(client.mutateWith(csrf()).post().uri("/broadcasting/auth")
          .headers(headers -> headers.setBasicAuth("alice", "password"))
          .contentType(MediaType.APPLICATION_JSON)
          .bodyValue("{\"socket_id\":\"" + vector.get("socket_id").asText() + "\",\"channel_name\":\"private-foobar\"}")
          .exchange(), 200, PusherVectors.response("private_channel"));
      assertJson(client.mutateWith(csrf()).post().uri("/broadcasting/auth")
          .headers(headers -> headers.setBasicAuth("alice", "password"))
          .header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
          .bodyValue("{\"socket_id\":\"" + "1".repeat(40_000) + "\"}")
          .exchange(), 400, "{\"error\":\"request body is larger than 8192 characters\"}");
    });
  }

  @Test
  void aMalformedContentTypeIsABadRequestNotAServerError() {
    withClient(client -> assertJson(client.mutateWith(csrf()).post().uri("/broadcasting/auth")
        .headers(headers -> headers.setBasicAuth("alice", "password"))
        .header(HttpHeaders.CONTENT_TYPE, "application/")
        .body(BodyInserters.fromDataBuffers(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(
            "socket_id=1234.1234&channel_name=private-foobar".getBytes(StandardCharsets.UTF_8)))))
        .exchange(), 400, ServletAuthEndpointsTest.MALFORMED_CONTENT_TYPE));
  }

  @Configuration(proxyBeanMethods = false)
  @EnableWebFlux
  @EnableWebFluxSecurity
  static class Application {
    @Bean
    SecurityWebFilterChain security(ServerHttpSecurity http) {
      return http.authorizeExchange(exchanges -> exchanges.anyExchange().permitAll())
          .httpBasic(basic -> { })
          .build();
    }

    @Bean
    MapReactiveUserDetailsService users() {
      return new MapReactiveUserDetailsService(
          User.withUsername("alice").password("{noop}password").roles("USER").build(),
          User.withUsername("bob").password("{noop}password").roles("USER").build());
    }

    @Bean
    ShopChannels shopChannels() {
      return new ShopChannels();
    }
  }
}
