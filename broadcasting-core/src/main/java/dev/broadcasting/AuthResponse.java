package dev.broadcasting;

/**
 * The answer to an authorization request, ready for any HTTP framework: write {@link #status()}
 * and {@link #body()} with the content type {@code application/json}. Error bodies are short and
 * never say why access was denied; the log does, at debug level.
 *
 * @param status 200, 400 or 403
 * @param body JSON text
 */
public record AuthResponse(int status, String body) {
  public static final String CONTENT_TYPE = "application/json";

  static AuthResponse ok(String body) {
    return new AuthResponse(200, body);
  }

  /** The answer to every denial: it never says why; the debug log does. */
  public static AuthResponse forbidden() {
    return new AuthResponse(403, "{\"error\":\"Forbidden\"}");
  }

  /** @param reason plain ASCII text without quotes or backslashes */
  static AuthResponse badRequest(String reason) {
    return new AuthResponse(400, "{\"error\":\"" + reason + "\"}");
  }

  public boolean isAllowed() {
    return status == 200;
  }

  public String contentType() {
    return CONTENT_TYPE;
  }
}
