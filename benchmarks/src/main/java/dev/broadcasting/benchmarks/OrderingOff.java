package dev.broadcasting.benchmarks;

import dev.broadcasting.Broadcaster;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Optional;

/**
 * Finds, by reflection, the broadcaster builder's option that turns per-channel ordering off
 * (issue #15), so that the goals harness measures it as soon as core has it and says "not
 * available" until then, without a change here.
 *
 * <pre>{@code
 * Optional<Method> off = OrderingOff.find(Broadcaster.Builder.class);
 * Broadcaster.Builder builder = OrderingOff.apply(off.get(), Broadcaster.builder());
 * }</pre>
 *
 * <p>TODO(#15): once the option exists, check that its name is in {@link #NO_ARGUMENT} or
 * {@link #FLAG} (the harness prints which method it used), or add it there.
 */
final class OrderingOff {
  /** Builder methods without arguments that turn ordering off. */
  static final List<String> NO_ARGUMENT = List.of("unordered", "disableOrdering", "withoutOrdering");
  /** Builder methods taking a boolean, called with {@code false}. */
  static final List<String> FLAG = List.of("ordered", "ordering", "preserveOrder", "perChannelOrder", "keepOrder");

  private OrderingOff() {}

  static Optional<Method> find(Class<?> builderType) {
    for (Method method : builderType.getMethods()) {
      if (Modifier.isStatic(method.getModifiers()) || !builderType.isAssignableFrom(method.getReturnType())) {
        continue;
      }
      Class<?>[] parameters = method.getParameterTypes();
      if (parameters.length == 0 && NO_ARGUMENT.contains(method.getName())
          || parameters.length == 1 && parameters[0] == boolean.class && FLAG.contains(method.getName())) {
        return Optional.of(method);
      }
    }
    return Optional.empty();
  }

  static Optional<Method> find() {
    return find(Broadcaster.Builder.class);
  }

  @SuppressWarnings("unchecked")
  static <B> B apply(Method option, B builder) {
    try {
      return (B) (option.getParameterCount() == 0 ? option.invoke(builder) : option.invoke(builder, false));
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("could not call " + option + " to turn ordering off", e);
    }
  }
}
