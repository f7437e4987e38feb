package dev.broadcasting.spring.autoconfigure;

import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.spring.internal.ServletAuthEndpoints;
import java.security.Principal;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;

/**
 * {@code POST /broadcasting/auth} and {@code /broadcasting/user-auth} in a Spring MVC
 * application; {@code broadcasting.auth.enabled=false} leaves them out.
 */
@AutoConfiguration(after = BroadcastingAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBooleanProperty(name = "broadcasting.auth.enabled", matchIfMissing = true)
public class BroadcastingWebMvcAutoConfiguration {

  @Bean
  @ConditionalOnBean(ChannelAuthorizer.class)
  @ConditionalOnMissingBean
  ServletAuthEndpoints broadcastingAuthEndpoints(ChannelAuthorizer<Principal> authorizer) {
    return new ServletAuthEndpoints(authorizer);
  }
}
