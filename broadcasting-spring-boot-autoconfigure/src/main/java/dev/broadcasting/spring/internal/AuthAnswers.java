package dev.broadcasting.spring.internal;

import dev.broadcasting.AuthResponse;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;

/** The authorizer's answer as Spring's response: its status, JSON content type and body. */
final class AuthAnswers {
  private AuthAnswers() {}

  static ResponseEntity<String> toEntity(AuthResponse answer) {
    return ResponseEntity.status(answer.status()).contentType(MediaType.APPLICATION_JSON).body(answer.body());
  }
}
