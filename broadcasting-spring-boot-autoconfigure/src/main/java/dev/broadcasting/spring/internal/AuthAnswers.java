package dev.broadcasting.spring.internal;

import dev.broadcasting.AuthResponse;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** What both web stacks share: how a request's body is read, and the answer as Spring's response. */
final class AuthAnswers {
  /**
   * A client's mistake, answered before the authorizer is asked; the header's value is not echoed,
   * so the body needs no escaping.
   */
  static final ResponseEntity<String> MALFORMED_CONTENT_TYPE = ResponseEntity.badRequest()
      .contentType(MediaType.APPLICATION_JSON)
      .body("{\"error\":\"Content-Type is not a media type; send application/x-www-form-urlencoded, "
          + "as pusher-js does, or application/json\"}");

  private AuthAnswers() {}

  /** How the auth request's body is written, by its {@code Content-Type} header (null when absent). */
  enum BodyKind { FORM, JSON, MALFORMED }

  static BodyKind bodyKind(String contentType) {
    if (contentType == null) {
      return BodyKind.FORM;
    }
    try {
      return MediaType.APPLICATION_JSON.isCompatibleWith(MediaType.parseMediaType(contentType))
          ? BodyKind.JSON : BodyKind.FORM;
    } catch (InvalidMediaTypeException e) {
      // Spring would otherwise answer 500 and log the stack trace for a client's header
      return BodyKind.MALFORMED;
    }
  }

  static ResponseEntity<String> toEntity(AuthResponse answer) {
    return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON).body(answer.body());
  }
}
