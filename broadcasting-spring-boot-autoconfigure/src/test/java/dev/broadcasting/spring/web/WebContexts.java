package dev.broadcasting.spring.web;

import dev.broadcasting.spring.autoconfigure.BroadcastingAutoConfigurationTest;
import org.springframework.boot.context.annotation.Configurations;
import org.springframework.boot.test.util.TestPropertyValues;
import org.springframework.boot.web.context.reactive.AnnotationConfigReactiveWebApplicationContext;
import org.springframework.boot.web.context.servlet.AnnotationConfigServletWebApplicationContext;
import org.springframework.context.support.GenericApplicationContext;
import org.springframework.mock.web.MockServletContext;

/**
 * One web application context for all the tests of a class, as the context runners make it (the
 * module's auto-configurations in their order, then the application's), started once: starting
 * Spring Security and a web stack takes seconds.
 */
final class WebContexts {
  private WebContexts() {}

  static AnnotationConfigServletWebApplicationContext servlet(Class<?> application, String... properties) {
    AnnotationConfigServletWebApplicationContext context = new AnnotationConfigServletWebApplicationContext();
    context.setServletContext(new MockServletContext());
    return start(context, application, properties);
  }

  static AnnotationConfigReactiveWebApplicationContext reactive(Class<?> application, String... properties) {
    return start(new AnnotationConfigReactiveWebApplicationContext(), application, properties);
  }

  private static <C extends GenericApplicationContext> C start(C context, Class<?> application, String... properties) {
    TestPropertyValues.of(properties).applyTo(context);
    context.registerBean(application);
    for (Class<?> autoConfiguration : Configurations.getClasses(BroadcastingAutoConfigurationTest.all())) {
      context.registerBean(autoConfiguration);
    }
    context.refresh();
    return context;
  }
}
