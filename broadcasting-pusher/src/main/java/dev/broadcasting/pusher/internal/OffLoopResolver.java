package dev.broadcasting.pusher.internal;

import io.netty.resolver.AddressResolver;
import io.netty.resolver.AddressResolverGroup;
import io.netty.resolver.InetNameResolver;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;

/**
 * Host name lookups for {@link NettyTransport} on a thread of their own: Netty's default resolver
 * calls the JDK's blocking lookup on the event loop, where a slow DNS server would stall every
 * answer and timer of the driver. The JDK's address cache still applies.
 * {@code bootstrap.resolver(new OffLoopResolver(lookups))}
 */
final class OffLoopResolver extends AddressResolverGroup<InetSocketAddress> {
  private final EventExecutor lookups;

  OffLoopResolver(EventExecutor lookups) {
    this.lookups = lookups;
  }

  @Override
  protected AddressResolver<InetSocketAddress> newResolver(EventExecutor loop) {
    return new InetNameResolver(lookups) {
      @Override
      protected void doResolve(String host, Promise<InetAddress> promise) {
        executor().execute(() -> {
          try {
            promise.setSuccess(InetAddress.getByName(host));
          } catch (UnknownHostException e) {
            promise.setFailure(e);
          }
        });
      }

      @Override
      protected void doResolveAll(String host, Promise<List<InetAddress>> promise) {
        executor().execute(() -> {
          try {
            promise.setSuccess(Arrays.asList(InetAddress.getAllByName(host)));
          } catch (UnknownHostException e) {
            promise.setFailure(e);
          }
        });
      }
    }.asAddressResolver();
  }
}
