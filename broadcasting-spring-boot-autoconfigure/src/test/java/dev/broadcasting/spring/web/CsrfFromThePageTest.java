package dev.broadcasting.spring.web;

import static dev.broadcasting.spring.web.PusherVectors.jsonBody;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.httpBasic;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.result.MockMvcResultMatchers.status;

import jakarta.servlet.http.Cookie;
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
import org.springframework.test.web.servlet.setup.MockMvcBuilders;
import org.springframework.web.servlet.config.annotation.EnableWebMvc;

/**
 * The CSRF set-up the starter's README gives, through Spring Security's real CSRF filter (no
 * test shortcut): the page reads the {@code XSRF-TOKEN} cookie and sends it back as the
 * {@code X-XSRF-TOKEN} header, as Laravel Echo's {@code auth.headers} would.
 */
class CsrfFromThePageTest {
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

  @Test
  void theCookiesTokenSentAsAHeaderLetsTheAuthRequestThrough() throws Exception {
    Cookie token = mvc.perform(get("/").with(httpBasic("alice", "password"))).andReturn().getResponse()
        .getCookie("XSRF-TOKEN");
    assertThat(token).as("the XSRF-TOKEN cookie the page reads").isNotNull();
    assertThat(token.isHttpOnly()).as("readable by the page's script").isFalse();

    mvc.perform(auth().cookie(token).header("X-XSRF-TOKEN", token.getValue()))
        .andExpect(status().isOk())
        .andExpect(jsonBody(PusherVectors.response("private_channel")));
    mvc.perform(auth().cookie(token))
        .andExpect(status().isForbidden());
    mvc.perform(auth().cookie(token).header("X-XSRF-TOKEN", "not-the-token"))
        .andExpect(status().isForbidden());
  }

  private static org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder auth() {
    return post("/broadcasting/auth").with(httpBasic("alice", "password"))
        .contentType(MediaType.APPLICATION_FORM_URLENCODED)
        .param("socket_id", "1234.1234").param("channel_name", "private-foobar");
  }

  @Configuration(proxyBeanMethods = false)
  @EnableWebMvc
  @EnableWebSecurity
  static class Application {
    /** As the README says: {@code csrf.spa()}, the XSRF-TOKEN cookie and the header read as a page sends it. */
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
          .httpBasic(basic -> { })
          .csrf(csrf -> csrf.spa())
          .build();
    }

    @Bean
    InMemoryUserDetailsManager users() {
      return new InMemoryUserDetailsManager(
          User.withUsername("alice").password("{noop}password").roles("USER").build());
    }

    @Bean
    ShopChannels shopChannels() {
      return new ShopChannels();
    }
  }
}
