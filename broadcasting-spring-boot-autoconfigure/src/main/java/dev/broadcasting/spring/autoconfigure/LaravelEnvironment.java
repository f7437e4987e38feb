package dev.broadcasting.spring.autoconfigure;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.EnumerablePropertySource;
import org.springframework.core.env.Environment;
import org.springframework.core.env.PropertySource;

/**
 * The settings the drivers read by their Laravel names ({@code BROADCAST_CONNECTION},
 * {@code PUSHER_APP_KEY}, ...), gathered from Spring's environment: environment variables,
 * system properties and {@code application.properties} alike.
 */
final class LaravelEnvironment {
  /** Upper case with underscores, as environment variable names are written. */
  private static final Pattern NAME = Pattern.compile("[A-Z][A-Z0-9_]*");

  private LaravelEnvironment() {}

  static Map<String, String> read(Environment environment) {
    Map<String, String> settings = new TreeMap<>();
    if (environment instanceof ConfigurableEnvironment configurable) {
      for (PropertySource<?> source : configurable.getPropertySources()) {
        if (source instanceof EnumerablePropertySource<?> enumerable) {
          for (String name : enumerable.getPropertyNames()) {
            if (NAME.matcher(name).matches() && !settings.containsKey(name)) {
              String value = environment.getProperty(name);
              if (value != null) {
                settings.put(name, value);
              }
            }
          }
        }
      }
    }
    return settings;
  }
}
