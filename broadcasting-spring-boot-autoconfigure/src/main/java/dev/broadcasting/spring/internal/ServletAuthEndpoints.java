package dev.broadcasting.spring.internal;

import dev.broadcasting.AuthResponse;
import dev.broadcasting.ChannelAuthorizer;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.Reader;
import java.security.Principal;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseBody;

/**
 * {@code POST /broadcasting/auth} and {@code /broadcasting/user-auth} for Spring MVC, with the
 * request's principal (Spring Security's authentication when it is there). The form fields are
 * read as request parameters, so a filter that read them first (Spring Security's CSRF filter
 * does) takes nothing away.
 */
@Controller
public final class ServletAuthEndpoints {
  private final ChannelAuthorizer<Principal> authorizer;

  public ServletAuthEndpoints(ChannelAuthorizer<Principal> authorizer) {
    this.authorizer = authorizer;
  }

  @PostMapping("${broadcasting.auth.path:/broadcasting/auth}")
  @ResponseBody
  public ResponseEntity<String> auth(HttpServletRequest request) throws IOException {
    AuthAnswers.BodyKind kind = AuthAnswers.bodyKind(request.getContentType());
    if (kind == AuthAnswers.BodyKind.MALFORMED) {
      return AuthAnswers.MALFORMED_CONTENT_TYPE;
    }
    Principal user = Principals.authenticated(request.getUserPrincipal());
    AuthResponse answer = kind == AuthAnswers.BodyKind.JSON ? authorizer.authorizeJson(body(request), user)
        : authorizer.authorize(request.getParameter("socket_id"), request.getParameter("channel_name"), user);
    return AuthAnswers.toEntity(answer);
  }

  @PostMapping("${broadcasting.auth.user-path:/broadcasting/user-auth}")
  @ResponseBody
  public ResponseEntity<String> userAuth(HttpServletRequest request) {
    Principal user = Principals.authenticated(request.getUserPrincipal());
    return AuthAnswers.toEntity(authorizer.authenticateUser(request.getParameter("socket_id"), user));
  }

  /** The body, at most one character past the authorizer's limit, so that it refuses what is longer. */
  private static String body(HttpServletRequest request) throws IOException {
    char[] buffer = new char[ChannelAuthorizer.MAX_BODY_CHARS + 1];
    int length = 0;
    try (Reader reader = request.getReader()) {
      int read;
      while (length < buffer.length && (read = reader.read(buffer, length, buffer.length - length)) > 0) {
        length += read;
      }
    }
    return new String(buffer, 0, length);
  }
}
