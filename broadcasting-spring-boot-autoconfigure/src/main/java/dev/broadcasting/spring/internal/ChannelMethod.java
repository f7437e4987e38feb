package dev.broadcasting.spring.internal;

import dev.broadcasting.ChannelHandler;
import dev.broadcasting.ChannelParameters;
import dev.broadcasting.PresenceMember;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.security.Principal;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.BeanUtils;
import org.springframework.core.convert.ConversionException;
import org.springframework.core.convert.ConversionService;
import org.springframework.util.ReflectionUtils;

/**
 * A bean method annotated {@code @BroadcastChannel} or {@code @BroadcastUser}, made callable by
 * the authorizer: each parameter is bound once, when the context starts, to the user, the
 * channel parameters, or one pattern parameter by name.
 */
final class ChannelMethod implements ChannelHandler<Principal>, Function<Principal, Object> {
  private static final Logger log = LoggerFactory.getLogger("dev.broadcasting.ChannelAuthorizer");

  private final Object bean;
  private final Method method;
  private final Binding[] bindings;
  private final ConversionService conversions;

  private ChannelMethod(Object bean, Method method, Binding[] bindings, ConversionService conversions) {
    this.bean = bean;
    this.method = method;
    this.bindings = bindings;
    this.conversions = conversions;
    ReflectionUtils.makeAccessible(method);
  }

  /** A channel callback; fails at startup with the method's name when a parameter can't be bound. */
  static ChannelMethod channel(Object bean, Method method, ConversionService conversions) {
    Parameter[] parameters = method.getParameters();
    Binding[] bindings = new Binding[parameters.length];
    boolean user = false;
    for (int i = 0; i < parameters.length; i++) {
      Parameter parameter = parameters[i];
      Class<?> type = parameter.getType();
      if (type == ChannelParameters.class) {
        bindings[i] = new Binding(Kind.PARAMETERS, null, type);
      } else if (BeanUtils.isSimpleValueType(type) && type != Object.class) {
        if (!parameter.isNamePresent()) {
          throw new IllegalStateException(describe(method) + ": parameter " + i + " has no name at run time; compile "
              + "with -parameters (Spring Boot's Maven and Gradle plugins do), or take ChannelParameters instead");
        }
        bindings[i] = new Binding(Kind.PATTERN, parameter.getName(), type);
      } else {
        if (user) {
          throw new IllegalStateException(describe(method) + " has two parameters for the user; a channel callback "
              + "takes the user once, the pattern's parameters by name (String, numbers, UUID, enums) and ChannelParameters");
        }
        user = true;
        bindings[i] = new Binding(Kind.USER, null, type);
      }
    }
    checkAnswer(method);
    return new ChannelMethod(bean, method, bindings, conversions);
  }

  /** A user-data method: its one parameter is the user. */
  static ChannelMethod userData(Object bean, Method method, ConversionService conversions) {
    if (method.getParameterCount() != 1 || method.getReturnType() == void.class) {
      throw new IllegalStateException(describe(method) + " must take the user as its one parameter and return the "
          + "user data, a Map or object with a string \"id\"");
    }
    return new ChannelMethod(bean, method, new Binding[] {new Binding(Kind.USER, null,
        method.getParameterTypes()[0])}, conversions);
  }

  private static void checkAnswer(Method method) {
    if (method.getReturnType() == void.class) {
      throw new IllegalStateException(describe(method) + " returns nothing; return true/false, a PresenceMember, "
          + "or the presence member's user info");
    }
  }

  @Override
  public Object join(Principal user, ChannelParameters params) {
    Object[] args = new Object[bindings.length];
    for (int i = 0; i < bindings.length; i++) {
      Binding binding = bindings[i];
      switch (binding.kind) {
        case PARAMETERS -> args[i] = params;
        case USER -> {
          args[i] = Principals.as(user, binding.type);
          if (args[i] == null) {
            log.debug("Channel auth denied by {}: the user is a {}, not a {}", describe(method),
                user.getClass().getName(), binding.type.getName());
            return false;
          }
        }
        case PATTERN -> {
          try {
            args[i] = conversions.convert(params.get(binding.name), binding.type);
          } catch (ConversionException e) {
            log.debug("Channel auth denied by {}: {{}} = '{}' is not a {}", describe(method), binding.name,
                params.asMap().get(binding.name), binding.type.getSimpleName());
            return false;
          }
        }
        default -> throw new IllegalStateException(binding.kind.name());
      }
    }
    return answer(invoke(args), user);
  }

  /** The user data for sign-in. */
  @Override
  public Object apply(Principal user) {
    Object inner = Principals.as(user, bindings[0].type);
    if (inner == null) {
      throw new IllegalStateException("the user is a " + user.getClass().getName() + ", not a "
          + bindings[0].type.getName() + " as " + describe(method) + " wants");
    }
    return invoke(new Object[] {inner});
  }

  private Object invoke(Object[] args) {
    try {
      return method.invoke(bean, args);
    } catch (InvocationTargetException e) {
      ReflectionUtils.rethrowRuntimeException(e.getTargetException());
      throw new IllegalStateException(e.getTargetException());
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Laravel's answers: a boolean, a member, null, or the user info of a member named by the user. */
  private static Object answer(Object value, Principal user) {
    if (value == null || value instanceof Boolean || value instanceof PresenceMember) {
      return value;
    }
    return PresenceMember.of(user.getName(), value);
  }

  @Override
  public String toString() {
    return describe(method);
  }

  static String describe(Method method) {
    return method.getDeclaringClass().getSimpleName() + "." + method.getName() + "()";
  }

  private enum Kind { PARAMETERS, PATTERN, USER }

  private record Binding(Kind kind, String name, Class<?> type) {}
}
