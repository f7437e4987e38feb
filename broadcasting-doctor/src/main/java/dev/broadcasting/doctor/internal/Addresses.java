package dev.broadcasting.doctor.internal;

/** Host names as a client must dial them. */
final class Addresses {
  private Addresses() {}

  /** A server bound to every interface is reached on the loopback address. */
  static String reachable(String bindHost) {
    return bindHost.equals("0.0.0.0") || bindHost.equals("::") ? "127.0.0.1" : bindHost;
  }
}
