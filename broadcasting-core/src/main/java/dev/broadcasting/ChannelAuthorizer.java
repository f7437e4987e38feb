package dev.broadcasting;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.broadcasting.internal.ChannelPattern;
import dev.broadcasting.internal.PayloadSerializer;
import dev.broadcasting.internal.RateLimitedLog;
import dev.broadcasting.spi.ChannelAuthSigner;
import dev.broadcasting.spi.ChannelNames;
import dev.broadcasting.spi.SocketIds;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.BiPredicate;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of channel callbacks, and the one framework-neutral call behind
 * {@code POST /broadcasting/auth}: Laravel's {@code routes/channels.php} and {@code Broadcast::auth()}.
 * Patterns are written without the prefix and tried in registration order; the first that matches
 * the whole channel name decides.
 *
 * <pre>{@code
 * ChannelAuthorizer<User> channels = ChannelAuthorizer.create(broadcaster);
 * channels.channel("chat.{userId}", (user, params) -> user.id() == params.getLong("userId"));
 * channels.presence("room.{roomId}", (user, params) -> PresenceMember.of(user.id(), Map.of("name", user.name())));
 *
 * // in the route: the form body pusher-js sent, and the user of the session (null when none)
 * AuthResponse answer = channels.authorizeForm(requestBody, currentUser);
 * response.status(answer.status()).contentType(AuthResponse.CONTENT_TYPE).send(answer.body());
 * }</pre>
 *
 * <p>Denials are logged at debug level under {@code dev.broadcasting.ChannelAuthorizer} with the
 * reason: no user, no matching pattern, or the callback said no. A channel the connection cannot
 * sign for (an encrypted channel without a master key) is denied too, with a warning at most once
 * a minute. No call here throws for anything a client sends.
 */
public final class ChannelAuthorizer<U> {
  private static final Logger log = LoggerFactory.getLogger(ChannelAuthorizer.class);
  /** Larger bodies are refused unread: an auth request is two short fields. */
  public static final int MAX_BODY_CHARS = 8 * 1024;
  private static final RateLimitedLog refusals =
      new RateLimitedLog(log, Ticker.system(), TimeUnit.MINUTES.toNanos(1));

  private final ChannelAuthSigner signer;
  private final ObjectMapper mapper;
  private final List<Registration<U>> registrations = new CopyOnWriteArrayList<>();
  private volatile Function<? super U, ?> userData;

  private ChannelAuthorizer(ChannelAuthSigner signer, ObjectMapper mapper) {
    this.signer = Objects.requireNonNull(signer, "signer");
    this.mapper = Objects.requireNonNull(mapper, "mapper");
  }

  /** An authorizer whose answers are signed in the protocol of the broadcaster's default connection. */
  public static <U> ChannelAuthorizer<U> create(Broadcaster broadcaster) {
    return create(broadcaster.authSigner());
  }

  public static <U> ChannelAuthorizer<U> create(ChannelAuthSigner signer) {
    return new ChannelAuthorizer<>(signer, PayloadSerializer.defaultMapper());
  }

  /** Guards private channels matching {@code pattern}: the callback allows or denies. */
  public ChannelAuthorizer<U> channel(String pattern, BiPredicate<? super U, ChannelParameters> callback) {
    Objects.requireNonNull(callback, "callback");
    return register(pattern, (user, params) -> callback.test(user, params));
  }

  /** Guards presence channels matching {@code pattern}: the callback returns the member, or null to deny. */
  public ChannelAuthorizer<U> presence(String pattern,
      BiFunction<? super U, ChannelParameters, PresenceMember> callback) {
    Objects.requireNonNull(callback, "callback");
    return register(pattern, callback::apply);
  }

  /** Guards channels matching {@code pattern} with a class-based handler. */
  public ChannelAuthorizer<U> handler(String pattern, ChannelHandler<? super U> handler) {
    Objects.requireNonNull(handler, "handler");
    return register(pattern, handler::join);
  }

  /**
   * Enables user sign-in ({@code pusher:signin}): {@code userData} gives the user's JSON, which
   * must have a non-empty string {@code id}.
   */
  public ChannelAuthorizer<U> userData(Function<? super U, ?> userData) {
    this.userData = Objects.requireNonNull(userData, "userData");
    return this;
  }

  private ChannelAuthorizer<U> register(String pattern, ChannelHandler<? super U> decide) {
    registrations.add(new Registration<>(ChannelPattern.compile(pattern), decide));
    return this;
  }

  /** Authorizes a form-encoded request body, as pusher-js and laravel-echo send it. */
  public AuthResponse authorizeForm(String body, U user) {
    Map<String, String> fields = parseForm(body);
    return fields == null ? AuthResponse.badRequest(bodyError(body, "form-encoded"))
        : authorize(fields.get("socket_id"), fields.get("channel_name"), user);
  }

  /** Authorizes a JSON request body, {@code {"socket_id":..,"channel_name":..}}. */
  public AuthResponse authorizeJson(String body, U user) {
    Map<String, String> fields = parseJson(body);
    return fields == null ? AuthResponse.badRequest(bodyError(body, "a JSON object"))
        : authorize(fields.get("socket_id"), fields.get("channel_name"), user);
  }

  /**
   * Authorizes {@code socketId} on {@code channelName} for {@code user}, null when the request has
   * no authenticated user. The socket id is checked only when the connection's protocol signs it:
   * laravel-echo-server (redis) sends none.
   */
  public AuthResponse authorize(String socketId, String channelName, U user) {
    String socketError = signer.requiresSocketId() ? SocketIds.error(socketId) : null;
    ParsedName parsed = socketError == null ? parse(channelName) : null;
    String inputError = socketError != null ? socketError : parsed.error;
    if (inputError != null) {
      log.debug("Channel auth refused (400): {}", inputError);
      return AuthResponse.badRequest(inputError);
    }
    AuthDecision decision = decideValid(parsed.channel, user);
    if (!decision.allowed()) {
      return AuthResponse.forbidden();
    }
    String refusal = signer.refusal(channelName);
    if (refusal != null) {
      log.debug("Channel auth denied for {}: {}", channelName, refusal);
      refusals.warn("Channel auth refused by the connection: " + refusal, 1);
      return AuthResponse.forbidden();
    }
    try {
      return AuthResponse.ok(decision.channelData() != null
          ? signer.signPresence(socketId, channelName, decision.channelData())
          : signer.signPrivate(socketId, channelName));
    } catch (RuntimeException e) {
      log.error("Channel auth denied for {}: the connection's signer {} failed", channelName, signer, e);
      return AuthResponse.forbidden();
    }
  }

  /**
   * Decides whether {@code user} may join {@code channelName}, without signing anything: the
   * same callbacks, matching and logging as {@link #authorize}. An invalid name is denied.
   */
  public AuthDecision decide(String channelName, U user) {
    ParsedName parsed = parse(channelName);
    if (parsed.error != null) {
      log.debug("Channel auth denied: {}", parsed.error);
      return AuthDecision.DENIED;
    }
    return decideValid(parsed.channel, user);
  }

  private AuthDecision decideValid(Channel channel, U user) {
    String channelName = channel.name();
    if (!channel.isGuarded()) {
      return deny(channelName, "it is not a private or presence channel; public channels need no auth");
    }
    if (user == null) {
      return deny(channelName, "no authenticated user; check that the auth route sees the session or token");
    }
    String name = ChannelNames.withoutPrefix(channelName);
    for (Registration<U> registration : registrations) {
      Map<String, String> values = registration.pattern.match(name);
      if (values != null) {
        return decide(registration, channel, user, new ChannelParameters(values));
      }
    }
    return deny(channelName, "no pattern matches '" + name + "'; registered: " + registrations.stream()
        .map(r -> r.pattern.toString()).collect(Collectors.toList()));
  }

  private AuthDecision decide(Registration<U> registration, Channel channel, U user, ChannelParameters params) {
    Object decision;
    try {
      decision = registration.decide.join(user, params);
    } catch (ChannelParameters.Unconvertible e) {
      return deny(channel.name(), e.getMessage());
    } catch (RuntimeException e) {
      log.warn("Channel auth denied for {}: the callback of pattern '{}' threw", channel, registration.pattern, e);
      return AuthDecision.DENIED;
    }
    String pattern = "pattern '" + registration.pattern + "'";
    if (channel instanceof PresenceChannel) {
      if (!(decision instanceof PresenceMember)) {
        return deny(channel.name(), decision instanceof Boolean && (Boolean) decision
            ? pattern + " answered true, but a presence channel needs a PresenceMember; register it with presence()"
            : pattern + " denied the user");
      }
      try {
        String channelData = channelData((PresenceMember) decision);
        log.debug("Channel auth allowed for {} by {}", channel, pattern);
        return new AuthDecision(true, channelData);
      } catch (Exception e) {
        log.warn("Channel auth denied for {}: the user info of {} does not serialize", channel, pattern, e);
        return AuthDecision.DENIED;
      }
    }
    if (Boolean.TRUE.equals(decision) || decision instanceof PresenceMember) {
      log.debug("Channel auth allowed for {} by {}", channel, pattern);
      return AuthDecision.ALLOWED;
    }
    return deny(channel.name(), pattern + " denied the user");
  }

  /**
   * Signs a user in for {@code pusher:signin}, from the form body pusher-js posts to its
   * user-authentication endpoint.
   */
  public AuthResponse authenticateUserForm(String body, U user) {
    Map<String, String> fields = parseForm(body);
    return fields == null ? AuthResponse.badRequest(bodyError(body, "form-encoded"))
        : authenticateUser(fields.get("socket_id"), user);
  }

  public AuthResponse authenticateUser(String socketId, U user) {
    String inputError = SocketIds.error(socketId);
    if (inputError != null) {
      return AuthResponse.badRequest(inputError);
    }
    Function<? super U, ?> data = userData;
    if (data == null) {
      log.debug("User sign-in refused: no userData(...) function is registered");
      return AuthResponse.forbidden();
    }
    if (user == null) {
      log.debug("User sign-in refused: no authenticated user");
      return AuthResponse.forbidden();
    }
    String json;
    try {
      JsonNode tree = mapper.valueToTree(data.apply(user));
      JsonNode id = tree == null ? null : tree.get("id");
      if (id == null || !id.isTextual() || id.asText().isEmpty()) {
        log.warn("User sign-in refused: the user data must be a JSON object with a non-empty string 'id'");
        return AuthResponse.forbidden();
      }
      json = mapper.writeValueAsString(tree);
    } catch (Exception e) {
      log.warn("User sign-in refused: the user data function failed", e);
      return AuthResponse.forbidden();
    }
    try {
      return AuthResponse.ok(signer.signUser(socketId, json));
    } catch (UnsupportedOperationException e) {
      return AuthResponse.badRequest("user sign-in is not supported by this connection");
    } catch (RuntimeException e) {
      log.error("User sign-in refused: the connection's signer {} failed", signer, e);
      return AuthResponse.forbidden();
    }
  }

  private String channelData(PresenceMember member) throws Exception {
    Map<String, Object> data = new java.util.LinkedHashMap<>();
    data.put("user_id", member.userId());
    if (member.userInfo() != null) {
      data.put("user_info", member.userInfo());
    }
    return mapper.writeValueAsString(data);
  }

  private static AuthDecision deny(String channelName, String reason) {
    log.debug("Channel auth denied for {}: {}", channelName, reason);
    return AuthDecision.DENIED;
  }

  /**
   * A channel name from a request: the channel, or why the name is refused, by the rule every
   * driver shares and then by this connection's own.
   */
  private ParsedName parse(String channelName) {
    String error = ChannelNames.error(channelName);
    if (error == null) {
      error = signer.channelNameError(channelName);
    }
    if (error == null && ChannelNames.withoutPrefix(channelName).isEmpty()) {
      error = "has nothing after its prefix";
    }
    return error != null ? new ParsedName(null, "channel_name " + error) : new ParsedName(Channel.of(channelName), null);
  }

  private record ParsedName(Channel channel, String error) {}

  private static String bodyError(String body, String expected) {
    if (body != null && body.length() > MAX_BODY_CHARS) {
      return "request body is larger than " + MAX_BODY_CHARS + " characters";
    }
    return "request body is not " + expected;
  }

  /** The fields of a form body, the first of each name; null when it is too large or malformed. */
  private static Map<String, String> parseForm(String body) {
    if (body == null || body.length() > MAX_BODY_CHARS) {
      return null;
    }
    Map<String, String> fields = new HashMap<>();
    try {
      for (String pair : body.split("&")) {
        int eq = pair.indexOf('=');
        String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
        String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
        fields.putIfAbsent(key, value);
      }
    } catch (IllegalArgumentException malformed) {
      return null;
    }
    return fields;
  }

  private Map<String, String> parseJson(String body) {
    if (body == null || body.length() > MAX_BODY_CHARS) {
      return null;
    }
    try {
      JsonNode tree = mapper.readTree(body);
      if (tree == null || !tree.isObject()) {
        return null;
      }
      Map<String, String> fields = new HashMap<>();
      tree.fields().forEachRemaining(field -> {
        if (field.getValue().isTextual()) {
          fields.put(field.getKey(), field.getValue().asText());
        }
      });
      return fields;
    } catch (Exception malformed) {
      return null;
    }
  }

  private record Registration<U>(ChannelPattern pattern, ChannelHandler<? super U> decide) {}
}
