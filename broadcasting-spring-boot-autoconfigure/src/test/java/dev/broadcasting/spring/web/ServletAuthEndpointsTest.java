package dev.broadcasting.spring.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.content;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;
import static dev.broadcasting.spring.web.PusherVectors.jsonBody;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.web.context.servlet.AnnotationConfigServletWebApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.MediaType;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.test.web.servlet.setup.SecurityMockMvcConfigurers;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/** The Spring MVC endpoints, through Spring Security, answering as the Pusher documentation says. */
class ServletAuthEndpointsTest {
  /** The answer to a Content-Type header that is no media type, in both web stacks. */
  static final String MALFORMED_CONTENT_TYPE = "{\"error\":\"Content-Type is not a media type; send "
      + "application/x-www-form-urlencoded, as pusher-js does, or application/json\"}";
  private static AnnotationConfigServletWebApplicationContext context;
  private static MockMvc mvc;

  @BeforeAll
  static void start() {
    context = WebContexts.servlet(Application.class, PusherVectors.CONNECTION);
    mvc = MockMvcBuilders.webAppContextSetup(context).apply(SecurityMockMvcConfigurers.springSecurity()).build();
  }

  @AfterAll
  static void stop() {
    context.close();
  }

  private static void withMvc(MvcTest test) throws Exception {
    test.run(mvc);
  }

  private static MockHttpServletRequestBuilder auth(String socketId, String channel) {
    return post("/broadcasting/auth").with(csrf()).contentType(MediaType.APPLICATION_FORM_URLENCODED)
        .param("socket_id", socketId).param("channel_name", channel);
  }

  @Test
  void signsAPrivateChannelAsTheDocumentationSays() throws Exception {
    withMvc(mvc -> mvc.perform(auth("1234.1234", "private-foobar").with(httpBasic("alice", "password")))
        .andExpect(status().isOk())
        .andExpect(content().contentType(MediaType.APPLICATION_JSON))
        .andExpect(jsonBody(PusherVectors.response("private_channel"))));
  }

  @Test
  void signsAPresenceChannelWithTheMembersExactChannelData() throws Exception {
    withMvc(mvc -> {
      String body = mvc.perform(auth("1234.1234", "presence-foobar").with(httpBasic("alice", "password")))
          .andExpect(status().isOk())
          .andExpect(jsonBody(PusherVectors.response("presence_channel")))
          .andReturn().getResponse().getContentAsString();
      assertThat(body).contains(PusherVectors.vector("presence_channel").get("channel_data").toString());
    });
  }

  @Test
  void signsAUserInAsTheDocumentationSays() throws Exception {
    withMvc(mvc -> mvc.perform(post("/broadcasting/user-auth").with(csrf()).with(httpBasic("alice", "password"))
            .contentType(MediaType.APPLICATION_FORM_URLENCODED).param("socket_id", "1234.1234"))
        .andExpect(status().isOk())
        .andExpect(jsonBody(PusherVectors.response("user_signin"))));
  }

  @Test
  void bindsPatternParametersAndSpringSecuritysUser() throws Exception {
    withMvc(mvc -> {
      mvc.perform(auth("1234.1234", "private-orders.42").with(httpBasic("alice", "password")))
          .andExpect(status().isOk());
      mvc.perform(auth("1234.1234", "private-orders.42").with(httpBasic("bob", "password")))
          .andExpect(status().isForbidden()).andExpect(jsonBody("{\"error\":\"Forbidden\"}"));
      mvc.perform(auth("1234.1234", "private-orders.abc").with(httpBasic("alice", "password")))
          .andExpect(status().isForbidden());
      String lobby = mvc.perform(auth("1234.1234", "presence-rooms.lobby").with(httpBasic("bob", "password")))
          .andExpect(status().isOk()).andReturn().getResponse().getContentAsString();
      assertThat(PusherVectors.JSON.readTree(lobby).get("channel_data").asText())
          .isEqualTo("{\"user_id\":\"bob\",\"user_info\":{\"name\":\"BOB\"}}");
    });
  }

  @Test
  void refusesWithoutAUserOrAMatchingPattern() throws Exception {
    withMvc(mvc -> {
      mvc.perform(auth("1234.1234", "private-foobar")).andExpect(status().isForbidden());
      mvc.perform(auth("1234.1234", "private-unknown.1").with(httpBasic("alice", "password")))
          .andExpect(status().isForbidden());
      mvc.perform(post("/broadcasting/user-auth").with(csrf()).param("socket_id", "1234.1234"))
          .andExpect(status().isForbidden());
    });
  }

  @Test
  void aMalformedRequestIsABadRequestThatSaysWhy() throws Exception {
    withMvc(mvc -> {
      mvc.perform(auth("not-a-socket", "private-foobar").with(httpBasic("alice", "password")))
          .andExpect(status().isBadRequest())
          .andExpect(jsonBody("{\"error\":\"socket_id is malformed; expected digits.digits such as 1234.5678\"}"));
      mvc.perform(post("/broadcasting/auth").with(csrf()).with(httpBasic("alice", "password"))
              .contentType(MediaType.APPLICATION_JSON).content("[1]"))
          .andExpect(status().isBadRequest())
          .andExpect(jsonBody("{\"error\":\"request body is not a JSON object\"}"));
    });
  }

  @Test
  void aMalformedContentTypeIsABadRequestNotAServerError() throws Exception {
    withMvc(mvc -> mvc.perform(post("/broadcasting/auth").with(csrf()).with(httpBasic("alice", "password"))
            .header("Content-Type", "application/").content("socket_id=1234.1234&channel_name=private-foobar"))
        .andExpect(status().isBadRequest())
        .andExpect(jsonBody(MALFORMED_CONTENT_TYPE)));
  }

  @Test
  void acceptsAJsonBody() throws Exception {
    withMvc(mvc -> mvc.perform(post("/broadcasting/auth").with(csrf()).with(httpBasic("alice", "password"))
            .contentType(MediaType.APPLICATION_JSON)
            .content("{\"socket_id\":\"1234.1234\",\"channel_name\":\"private-foobar\"}"))
        .andExpect(status().isOk())
        .andExpect(jsonBody(PusherVectors.response("private_channel"))));
  }

  @Test
  void springSecuritysCsrfProtectionAppliesToTheEndpoint() throws Exception {
    withMvc(mvc -> mvc.perform(post("/broadcasting/auth").with(httpBasic("alice", "password"))
            .param("socket_id", "1234.1234").param("channel_name", "private-foobar"))
        .andExpect(status().isForbidden())
        .andExpect(content().string("")));
  }

  @FunctionalInterface
  interface MvcTest {
    void run(MockMvc mvc) throws Exception;
  }

  @Configuration(proxyBeanMethods = false)
  @EnableWebMvc
  @EnableWebSecurity
  static class Application {
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .httpBasic(basic -> { })
          .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}password").roles("USER").build(),
          User.withUsername("bob").password("{noop}password").roles("USER").build());
    }

    @Bean
    ShopChannels shopChannels() {
      return new ShopChannels();
    }
  }
}
