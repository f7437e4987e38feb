package dev.broadcasting.spring.internal;

import dev.broadcasting.ChannelAuthorizer;
import dev.broadcasting.spring.BroadcastChannel;
import dev.broadcasting.spring.BroadcastUser;
import java.lang.reflect.Method;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodIntrospector;
import org.springframework.core.annotation.AnnotatedElementUtils;
import org.springframework.core.convert.ConversionService;
import org.springframework.core.convert.support.DefaultConversionService;

/**
 * Finds the {@link BroadcastChannel} and {@link BroadcastUser} methods of the beans as they are
 * created, and registers them in the {@link ChannelAuthorizer} once every singleton exists. Beans
 * are registered in the order the context created them; within a bean, by method name, so that
 * the order does not depend on reflection.
 */
public final class ChannelCallbackRegistrar implements BeanPostProcessor, SmartInitializingSingleton {
  private static final Logger log = LoggerFactory.getLogger(ChannelCallbackRegistrar.class);

  private final ObjectProvider<ChannelAuthorizer<Principal>> authorizer;
  private final ConversionService conversions = DefaultConversionService.getSharedInstance();
  private final List<Found> found = new ArrayList<>();
  private boolean registered;

  public ChannelCallbackRegistrar(ObjectProvider<ChannelAuthorizer<Principal>> authorizer) {
    this.authorizer = authorizer;
  }

  @Override
  public Object postProcessAfterInitialization(Object bean, String beanName) {
    Class<?> type = AopUtils.getTargetClass(bean);
    if (type.getName().startsWith("org.springframework.")) {
      return bean;
    }
    Map<Method, BroadcastChannel> channels = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<BroadcastChannel>) method ->
            AnnotatedElementUtils.findMergedAnnotation(method, BroadcastChannel.class));
    Map<Method, BroadcastUser> users = MethodIntrospector.selectMethods(type,
        (MethodIntrospector.MetadataLookup<BroadcastUser>) method ->
            AnnotatedElementUtils.findMergedAnnotation(method, BroadcastUser.class));
    if (channels.isEmpty() && users.isEmpty()) {
      return bean;
    }
    List<Method> methods = new ArrayList<>(channels.keySet());
    methods.sort(Comparator.comparing(Method::getName));
    synchronized (found) {
      for (Method method : methods) {
        Method callable = AopUtils.selectInvocableMethod(method, bean.getClass());
        found.add(new Found(channels.get(method).value(), ChannelMethod.channel(bean, callable, conversions)));
      }
      for (Method method : users.keySet()) {
        found.add(new Found(null, ChannelMethod.userData(bean, AopUtils.selectInvocableMethod(method,
            bean.getClass()), conversions)));
      }
      if (registered) {
        register();
      }
    }
    return bean;
  }

  @Override
  public void afterSingletonsInstantiated() {
    synchronized (found) {
      registered = true;
      register();
    }
  }

  private void register() {
    ChannelAuthorizer<Principal> channels = authorizer.getIfAvailable();
    if (channels == null) {
      return;
    }
    String userMethod = null;
    for (Found callback : found) {
      if (callback.pattern == null) {
        if (userMethod != null) {
          throw new IllegalStateException("Two @BroadcastUser methods: " + userMethod + " and "
              + callback.method + "; keep one");
        }
        userMethod = callback.method.toString();
        channels.userData(callback.method);
      } else {
        channels.handler(callback.pattern, callback.method);
        log.debug("Channel pattern '{}' is guarded by {}", callback.pattern, callback.method);
      }
    }
    found.clear();
  }

  private record Found(String pattern, ChannelMethod method) {}
}
