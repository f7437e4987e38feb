package dev.broadcasting.spring.internal;

import dev.broadcasting.AuthResponse;
import dev.broadcasting.ChannelAuthorizer;
import java.nio.charset.StandardCharsets;
import java.security.Principal;
import java.util.Optional;
import org.springframework.core.io.buffer.DataBufferLimitException;
import org.springframework.core.io.buffer.DataBufferUtils;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.util.MultiValueMap;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * {@code POST /broadcasting/auth} and {@code /broadcasting/user-auth} for WebFlux, with the
 * exchange's principal. Channel callbacks are application code that may block (a repository
 * call), so they run on the bounded elastic scheduler, never on an event loop.
 */
@Controller
public final class ReactiveAuthEndpoints {
  /** Stands for a body past the limit: the authorizer refuses it as too large, with 400. */
  private static final String TOO_LARGE = " ".repeat(ChannelAuthorizer.MAX_BODY_CHARS + 1);

  private final ChannelAuthorizer<Principal> authorizer;

  public ReactiveAuthEndpoints(ChannelAuthorizer<Principal> authorizer) {
    this.authorizer = authorizer;
  }

  @PostMapping("${broadcasting.auth.path:/broadcasting/auth}")
  @ResponseBody
  public Mono<ResponseEntity<String>> auth(ServerWebExchange exchange) {
    AuthAnswers.BodyKind kind = AuthAnswers.bodyKind(exchange.getRequest().getHeaders()
        .getFirst(HttpHeaders.CONTENT_TYPE));
    if (kind == AuthAnswers.BodyKind.MALFORMED) {
      return Mono.just(AuthAnswers.MALFORMED_CONTENT_TYPE);
    }
    if (kind == AuthAnswers.BodyKind.JSON) {
      return Mono.zip(user(exchange), body(exchange))
          .publishOn(Schedulers.boundedElastic())
          .map(request -> authorizer.authorizeJson(request.getT2(), request.getT1().orElse(null)))
          .map(AuthAnswers::toEntity);
    }
    return Mono.zip(user(exchange), exchange.getFormData())
        .publishOn(Schedulers.boundedElastic())
        .map(request -> authorize(request.getT2(), request.getT1().orElse(null)))
        .map(AuthAnswers::toEntity);
  }

  @PostMapping("${broadcasting.auth.user-path:/broadcasting/user-auth}")
  @ResponseBody
  public Mono<ResponseEntity<String>> userAuth(ServerWebExchange exchange) {
    return Mono.zip(user(exchange), exchange.getFormData())
        .publishOn(Schedulers.boundedElastic())
        .map(request -> authorizer.authenticateUser(request.getT2().getFirst("socket_id"),
            request.getT1().orElse(null)))
        .map(AuthAnswers::toEntity);
  }

  private AuthResponse authorize(MultiValueMap<String, String> form, Principal user) {
    return authorizer.authorize(form.getFirst("socket_id"), form.getFirst("channel_name"), user);
  }

  private static Mono<Optional<Principal>> user(ServerWebExchange exchange) {
    return exchange.getPrincipal().map(principal -> Optional.ofNullable(Principals.authenticated(principal)))
        .defaultIfEmpty(Optional.empty());
  }

  /** The body, cut one character past the authorizer's limit, so that it refuses what is longer. */
  private static Mono<String> body(ServerWebExchange exchange) {
    return DataBufferUtils.join(exchange.getRequest().getBody(), ChannelAuthorizer.MAX_BODY_CHARS * 4 + 4)
        .map(buffer -> {
          try {
            return buffer.toString(StandardCharsets.UTF_8);
          } finally {
            DataBufferUtils.release(buffer);
          }
        })
        .defaultIfEmpty("")
        .onErrorResume(DataBufferLimitException.class, tooLarge -> Mono.just(TOO_LARGE));
  }
}
