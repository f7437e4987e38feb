package dev.broadcasting.doctor.internal;

import java.net.URI;

/** A host and port something must answer on, with the setting that names it (for the fixes). */
public record Endpoint(String role, String host, int port, String setting) {

  /** The endpoint of an http(s) or ws(s) URL; the port defaults by scheme. */
  public static Endpoint of(String role, URI uri, String setting) {
    int port = uri.getPort();
    if (port < 0) {
      String scheme = uri.getScheme();
      port = "https".equals(scheme) || "wss".equals(scheme) ? 443 : 80;
    }
    return new Endpoint(role, uri.getHost(), port, setting);
  }

  public String address() {
    return host + ":" + port;
  }
}
