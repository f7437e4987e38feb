package dev.broadcasting.pusher.internal;

/**
 * Where a Pusher app's HTTP API is: scheme, host and port, as the driver's builder resolved them.
 * {@code new PusherEndpoint("https", "api-eu.pusher.com", 443).tls()} is {@code true}.
 */
public record PusherEndpoint(String scheme, String host, int port) {

  public boolean tls() {
    return "https".equals(scheme);
  }

  /** The {@code Host} header: the port only when it is not the scheme's default, as browsers and OkHttp send it. */
  public String hostHeader() {
    String name = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
    return port == (tls() ? 443 : 80) ? name : name + ":" + port;
  }

  /** {@code https://api-eu.pusher.com/}: what the driver's toString and its errors show. */
  @Override
  public String toString() {
    return scheme + "://" + hostHeader() + "/";
  }
}
