package dev.broadcasting.examples.spring;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.logout.HttpStatusReturningLogoutSuccessHandler;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Spring Security for the demo: the session holds the user picked on the page; every route answers
 * for itself (the page, the JSON routes, and {@code /broadcasting/auth}, which refuses a visitor
 * with 403).
 *
 * <p>CSRF: the shared page sends no CSRF token, so the protection is off, and the session cookie
 * is {@code SameSite=Lax} instead (application.properties): another site's page cannot post with
 * it. A real application keeps the token and sends it from Echo; see the starter's README.
 */
@Configuration(proxyBeanMethods = false)
public class ChatSecurity {

  @Bean
  SecurityContextRepository securityContextRepository() {
    return new HttpSessionSecurityContextRepository();
  }

  @Bean
  SecurityFilterChain security(HttpSecurity http, SecurityContextRepository contexts) throws Exception {
    return http
        .authorizeHttpRequests(requests -> requests.anyRequest().permitAll())
        .securityContext(context -> context.securityContextRepository(contexts))
        .csrf(csrf -> csrf.disable())
        .logout(logout -> logout.logoutUrl("/logout")
            .logoutSuccessHandler(new HttpStatusReturningLogoutSuccessHandler(HttpStatus.OK)))
        .build();
  }

  /** No one logs in with a password; this keeps Spring Boot from making a user with a generated one. */
  @Bean
  UserDetailsService noPasswordLogins() {
    return username -> {
      throw new UsernameNotFoundException("the demo has no password logins");
    };
  }
}
